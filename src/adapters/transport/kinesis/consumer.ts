import { setTimeout as sleep } from 'node:timers/promises';
import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type KinesisClient,
  type _Record as KinesisRecord,
  ListShardsCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import type { LogConsumer, LogRecord } from '../../../ports/transport.ts';
import { shardIndex } from '../../event-sources/kinesis.ts';
import type { CheckpointFile } from './checkpoints.ts';
import { unavailable } from './connection.ts';
import { decodeKinesisData } from './envelope.ts';

/** GetRecords returns at most 10 000 records per call. */
const GET_RECORDS_LIMIT = 10_000;
/** How often an idle consumer polls its shards (AWS allows 5 GetRecords per second per shard). */
const IDLE_POLL_MS = 250;

export interface KinesisConsumerOptions {
  readonly client: KinesisClient;
  readonly topic: string;
  readonly stream: string;
  readonly checkpoints: CheckpointFile;
  /** Called once the consumer is closed (the transport forgets it). */
  readonly onClose?: () => void;
}

interface ShardCursor {
  readonly shardId: string;
  readonly partition: number;
  iterator: string | undefined;
  ended: boolean;
  /** The local offset the next record read from this shard gets. */
  nextOffset: number;
  /** The sequence number of the last record read (or the checkpoint): where a new iterator starts after. */
  lastRead: string | undefined;
  /** Records handed out and not committed yet, by local offset, in order. */
  uncommitted: { readonly offset: number; readonly sequenceNumber: string }[];
}

/**
 * A consumer group's reader of one stream, for the local runtime (in AWS, Lambda's Kinesis event source mapping
 * reads the stream and keeps its own checkpoints).
 *
 * Offsets: Kinesis identifies a record by its sequence number, a decimal string of up to 56 digits that no
 * JavaScript number holds, and the poller commits `nextOffset` numbers. So the consumer numbers the records it
 * reads from each shard 0, 1, 2… (offsets are positions since this consumer started, not durable), remembers
 * the sequence number behind each uncommitted offset, and `commit(partition, nextOffset)` checkpoints the
 * sequence number of the record at `nextOffset - 1`. Checkpoints are durable per group (CheckpointFile); a
 * consumer starts each shard AFTER its checkpoint, or at TRIM_HORIZON without one. Each LogRecord carries its
 * `sequenceNumber`, which is what the Lambda-shaped event and the lake use; the local offsets never leave this
 * process. Partition = the shard's index (`shardId-000000000002` → 2). Resharding is not handled: parents and
 * children are read side by side, without Lambda's parent-first ordering.
 */
export async function openKinesisConsumer(options: KinesisConsumerOptions): Promise<LogConsumer> {
  const { client, topic, stream, checkpoints } = options;
  const saved = (await checkpoints.load())[stream] ?? {};
  let shardList: Shard[];
  try {
    shardList = await listShards(client, stream);
  } catch (error) {
    throw unavailable(`Kinesis stream ${stream}`, error);
  }
  const shards: ShardCursor[] = shardList.map((shard) => ({
    shardId: shard.ShardId!,
    partition: shardIndex(shard.ShardId!),
    iterator: undefined,
    ended: false,
    nextOffset: 0,
    lastRead: saved[shard.ShardId!],
    uncommitted: [],
  }));
  const byPartition = new Map(shards.map((shard) => [shard.partition, shard]));
  let next = 0;

  const iteratorOf = async (shard: ShardCursor): Promise<string | undefined> => {
    if (shard.iterator === undefined && !shard.ended) {
      const answer = await client.send(
        new GetShardIteratorCommand({
          StreamName: stream,
          ShardId: shard.shardId,
          ...(shard.lastRead
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: shard.lastRead }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      shard.iterator = answer.ShardIterator;
    }
    return shard.iterator;
  };

  const read = async (shard: ShardCursor, limit: number): Promise<LogRecord[]> => {
    const iterator = await iteratorOf(shard);
    if (!iterator) return [];
    let answer: GetRecordsCommandOutput;
    try {
      answer = await client.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(limit, GET_RECORDS_LIMIT) }),
      );
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ExpiredIteratorException') {
        shard.iterator = undefined; // A new one, after the last record read.
        return [];
      }
      if (name === 'ProvisionedThroughputExceededException') return [];
      throw error;
    }
    shard.iterator = answer.NextShardIterator;
    if (!shard.iterator) shard.ended = true; // A closed shard, read to its end.
    return (answer.Records ?? []).map((record) => {
      const offset = shard.nextOffset++;
      shard.lastRead = record.SequenceNumber!;
      shard.uncommitted.push({ offset, sequenceNumber: record.SequenceNumber! });
      return toLogRecord(topic, shard.partition, offset, record);
    });
  };

  const take = async (maxRecords: number): Promise<LogRecord[]> => {
    const records: LogRecord[] = [];
    // Round-robin across shards so that no shard starves.
    for (let step = 0; step < shards.length && records.length < maxRecords; step++) {
      const shard = shards[(next + step) % shards.length]!;
      try {
        records.push(...(await read(shard, maxRecords - records.length)));
      } catch (error) {
        // Records already read are handed out (their shards moved past them); the error comes back next time.
        if (records.length > 0) break;
        throw error;
      }
    }
    next = (next + 1) % Math.max(1, shards.length);
    return records;
  };

  return {
    fetch: async (maxRecords, maxWaitMs) => {
      const deadline = Date.now() + maxWaitMs;
      try {
        while (true) {
          const records = await take(maxRecords);
          if (records.length > 0 || Date.now() >= deadline) return records;
          await sleep(Math.min(IDLE_POLL_MS, Math.max(0, deadline - Date.now())));
        }
      } catch (error) {
        throw unavailable(`Kinesis consumer of ${stream}`, error);
      }
    },
    commit: async (partition, nextOffset) => {
      const shard = byPartition.get(partition);
      if (!shard) throw new Error(`Stream ${stream} has no shard for partition ${partition}`);
      const done = shard.uncommitted.filter((entry) => entry.offset < nextOffset);
      const last = done.at(-1);
      if (!last) return;
      shard.uncommitted = shard.uncommitted.filter((entry) => entry.offset >= nextOffset);
      await checkpoints.save(stream, shard.shardId, last.sequenceNumber);
    },
    rewind: async () => {
      // Each shard reads again after its checkpoint (new local offsets for the records read again).
      const saved = (await checkpoints.load())[stream] ?? {};
      for (const shard of shards) {
        if (shard.uncommitted.length === 0) continue;
        shard.iterator = undefined;
        shard.ended = false;
        shard.lastRead = saved[shard.shardId];
        shard.uncommitted = [];
      }
    },
    close: async () => {
      options.onClose?.();
    },
  };
}

async function listShards(client: KinesisClient, stream: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const answer = await client.send(
      new ListShardsCommand(token ? { NextToken: token } : { StreamName: stream }),
    );
    shards.push(...(answer.Shards ?? []));
    token = answer.NextToken;
  } while (token);
  return shards.sort((a, b) => shardIndex(a.ShardId!) - shardIndex(b.ShardId!));
}

/** A record with its envelope unwrapped (envelope.ts): value and headers as they were published. */
function toLogRecord(topic: string, partition: number, offset: number, record: KinesisRecord): LogRecord {
  const { value, headers, malformed } = decodeKinesisData(record.Data ?? new Uint8Array());
  return {
    topic,
    partition,
    offset,
    timestamp: record.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
    key: record.PartitionKey ? Buffer.from(record.PartitionKey) : undefined,
    value,
    headers,
    sequenceNumber: record.SequenceNumber!,
    ...(malformed === undefined ? {} : { malformed }),
  };
}
