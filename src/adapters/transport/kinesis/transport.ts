import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  KinesisClient,
  type _Record as KinesisRecord,
  ListShardsCommand,
  ListStreamsCommand,
  PutRecordsCommand,
  type PutRecordsCommandOutput,
  type PutRecordsRequestEntry,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  type ForwardedMessage,
  type LogConsumer,
  type LogRecord,
  type OutgoingMessage,
  type Transport,
  TransportUnavailableError,
} from '../../../ports/transport.ts';
import { replaceFileDurably } from '../../durable-file.ts';

/** One topic of the topology, carried by one Kinesis data stream. */
export interface StreamBinding {
  readonly topic: string;
  readonly stream: string;
  /** Shards to create the stream with when it is missing (the topic's partition count). */
  readonly shards: number;
}

export interface KinesisTransportOptions {
  readonly streams: readonly StreamBinding[];
  /** Where consumer groups keep their checkpoints: `<dir>/<group>.json`. */
  readonly checkpointDir: string;
  readonly region?: string;
  /** A ready client (tests); otherwise one over HTTP/1.1, the endpoint from AWS_ENDPOINT_URL. */
  readonly client?: KinesisClient;
  /** Attempts of a PutRecords chunk whose entries partly fail (only the failed entries are resent). */
  readonly putAttempts?: number;
  readonly retryDelayMs?: (attempt: number) => number;
  /** How long `open` waits for a stream it created to become ACTIVE. */
  readonly activeTimeoutMs?: number;
}

/** PutRecords takes at most 500 entries per call. */
export const PUT_RECORDS_LIMIT = 500;
/** GetRecords returns at most 10 000 records per call. */
const GET_RECORDS_LIMIT = 10_000;
/** How often an idle consumer polls its shards (AWS allows 5 GetRecords per second per shard). */
const IDLE_POLL_MS = 250;

/**
 * Kinesis Data Streams as the event transport: one stream per topic (the plays topic → KINESIS_STREAM,
 * the dead-letter topic → `${KINESIS_STREAM}-dlq`), shards standing for partitions.
 *
 * Publishing: PutRecords in chunks of at most 500, the message key as partition key. A partial failure
 * (throttled entries) resends only the failed entries, a few times; entries that still fail, or a stream
 * that cannot be reached, are a TransportUnavailableError, which ingest answers with 503. Resending
 * failed entries can reorder records of one key; nothing here depends on that order.
 * Kinesis records have no headers: a message with headers (the dead-letter topic's reasons) is stored as
 * the JSON envelope `{"headers": {...}, "value": "<message>"}`, which consumers receive as it is.
 *
 * Consuming (the local runtime; in AWS, Lambda's Kinesis event source mapping reads the stream and keeps
 * its own checkpoints). Offsets: Kinesis identifies a record by its sequence number, a decimal string
 * of up to 56 digits that no JavaScript number holds, and the poller commits `nextOffset` numbers. So a
 * consumer numbers the records it reads from each shard 0, 1, 2… (offsets are positions since this
 * consumer started, not durable), remembers the sequence number behind each uncommitted offset, and
 * `commit(partition, nextOffset)` checkpoints the sequence number of the record at `nextOffset - 1`.
 * Checkpoints are durable per group in `<checkpointDir>/<group>.json` ({stream: {shardId: sequence
 * number}}), written atomically (temp file, fsync, rename); a consumer starts each shard AFTER its
 * checkpoint, or at TRIM_HORIZON without one. Each LogRecord carries its `sequenceNumber`, which is
 * what the Lambda-shaped event and the lake use; the local offsets never leave this process.
 * Partition = the shard's index (`shardId-000000000002` → 2). Resharding is not handled: parents and
 * children are read side by side, without Lambda's parent-first ordering.
 */
export class KinesisTransport implements Transport {
  readonly eventSource = 'kinesis' as const;
  private readonly client: KinesisClient;
  private readonly options: KinesisTransportOptions;
  private readonly consumers = new Set<LogConsumer>();

  private constructor(options: KinesisTransportOptions) {
    this.options = options;
    this.client =
      options.client ??
      new KinesisClient({
        region: options.region ?? 'us-east-1',
        // HTTP/1.1: the SDK's default HTTP/2 handler fails against kinesis-mock (docs/stack.md).
        requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 10_000 }),
        maxAttempts: 3,
      });
  }

  /** Creates the streams that are missing and waits until every stream is ACTIVE. */
  static async open(options: KinesisTransportOptions): Promise<KinesisTransport> {
    const transport = new KinesisTransport(options);
    try {
      for (const binding of options.streams) await transport.ensureStream(binding);
    } catch (error) {
      transport.client.destroy();
      throw unavailable(`Kinesis streams ${options.streams.map((s) => s.stream).join(', ')}`, error);
    }
    return transport;
  }

  private async ensureStream({ stream, shards }: StreamBinding): Promise<void> {
    const deadline = Date.now() + (this.options.activeTimeoutMs ?? 60_000);
    let created = false;
    while (true) {
      const status = await this.client
        .send(new DescribeStreamSummaryCommand({ StreamName: stream }))
        .then((answer) => answer.StreamDescriptionSummary?.StreamStatus)
        .catch((error: unknown) => {
          if ((error as Error).name === 'ResourceNotFoundException') return undefined;
          throw error;
        });
      if (status === 'ACTIVE' || status === 'UPDATING') return;
      if (status === undefined && !created) {
        await this.client
          .send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }))
          .catch((error: unknown) => {
            // Created meanwhile by another process: wait for it like for ours.
            if ((error as Error).name !== 'ResourceInUseException') throw error;
          });
        created = true;
      }
      if (Date.now() > deadline) throw new Error(`stream ${stream} is ${status ?? 'missing'}, not ACTIVE`);
      await sleep(200);
    }
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    await this.put(topic, messages.map(toEntry));
  }

  async forward(topic: string, messages: readonly ForwardedMessage[]): Promise<void> {
    await this.put(topic, messages.map(forwardedEntry));
  }

  private async put(topic: string, entries: readonly PutRecordsRequestEntry[]): Promise<void> {
    const stream = this.streamOf(topic);
    for (let start = 0; start < entries.length; start += PUT_RECORDS_LIMIT) {
      await this.putChunk(stream, entries.slice(start, start + PUT_RECORDS_LIMIT));
    }
  }

  private async putChunk(stream: string, entries: PutRecordsRequestEntry[]): Promise<void> {
    const attempts = this.options.putAttempts ?? 4;
    const delay = this.options.retryDelayMs ?? ((attempt: number) => 100 * 2 ** (attempt - 1));
    let pending = entries;
    let lastErrors = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let answer: PutRecordsCommandOutput;
      try {
        answer = await this.putRecords(stream, pending);
      } catch (error) {
        throw unavailable(`Kinesis stream ${stream}`, error);
      }
      const results = answer.Records ?? [];
      if (!answer.FailedRecordCount && results.length === pending.length) return;
      // Results are positional: the i-th result is the i-th entry's.
      const failed = pending.filter(
        (_, index) => results[index]?.ErrorCode || !results[index]?.SequenceNumber,
      );
      if (failed.length === 0) return;
      lastErrors = [
        ...new Set(results.flatMap((result) => (result.ErrorCode ? [result.ErrorCode] : []))),
      ].join(', ');
      pending = failed;
      if (attempt < attempts) await sleep(delay(attempt));
    }
    throw new TransportUnavailableError(
      `Kinesis stream ${stream}: ${pending.length} records still failed after ${attempts} attempts (${lastErrors || 'no sequence number'})`,
    );
  }

  private putRecords(stream: string, entries: PutRecordsRequestEntry[]): Promise<PutRecordsCommandOutput> {
    return this.client.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
  }

  async consumer(topic: string, group: string): Promise<LogConsumer> {
    const stream = this.streamOf(topic);
    const checkpoints = new CheckpointFile(this.options.checkpointDir, group);
    const saved = (await checkpoints.load())[stream] ?? {};
    let shardList: Shard[];
    try {
      shardList = await this.listShards(stream);
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
        const answer = await this.client.send(
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
        answer = await this.client.send(
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

    const logConsumer: LogConsumer = {
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
        this.consumers.delete(logConsumer);
      },
    };
    this.consumers.add(logConsumer);
    return logConsumer;
  }

  private async listShards(stream: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let token: string | undefined;
    do {
      const answer = await this.client.send(
        new ListShardsCommand(token ? { NextToken: token } : { StreamName: stream }),
      );
      shards.push(...(answer.Shards ?? []));
      token = answer.NextToken;
    } while (token);
    return shards.sort((a, b) => shardIndex(a.ShardId!) - shardIndex(b.ShardId!));
  }

  /** Whether the Kinesis endpoint answers (readiness checks). */
  async ping(): Promise<void> {
    await this.client.send(new ListStreamsCommand({ Limit: 1 }));
  }

  async close(): Promise<void> {
    for (const consumer of [...this.consumers]) await consumer.close();
    if (!this.options.client) this.client.destroy();
  }

  describe(): string {
    return `Kinesis streams ${this.options.streams.map((binding) => binding.stream).join(', ')}`;
  }

  private streamOf(topic: string): string {
    const binding = this.options.streams.find((candidate) => candidate.topic === topic);
    if (!binding)
      throw new Error(
        `Unknown topic "${topic}"; the Kinesis transport carries ${this.options.streams.map((s) => s.topic).join(', ')}`,
      );
    return binding.stream;
  }
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

/** `shardId-000000000002` → 2. */
export function shardIndex(shardId: string): number {
  const index = Number(/(\d+)$/.exec(shardId)?.[1]);
  if (!Number.isSafeInteger(index)) throw new Error(`Cannot read a shard index from "${shardId}"`);
  return index;
}

function toEntry(message: OutgoingMessage): PutRecordsRequestEntry {
  const data =
    message.headers && Object.keys(message.headers).length > 0
      ? JSON.stringify({ headers: message.headers, value: message.value })
      : message.value;
  return { PartitionKey: message.key || '-', Data: Buffer.from(data) };
}

/**
 * A consumed record sent on: its key as partition key, and since the reasons travel as headers, the envelope
 * `{"headers", "value"}`, or `{"headers", "value_base64"}` for a value that is not UTF-8 text.
 */
function forwardedEntry(message: ForwardedMessage): PutRecordsRequestEntry {
  const key = message.key && message.key.length > 0 ? Buffer.from(message.key).toString() : '-';
  const text = utf8(message.value);
  const envelope =
    text === undefined
      ? { headers: message.headers, value_base64: Buffer.from(message.value).toString('base64') }
      : { headers: message.headers, value: text };
  return { PartitionKey: key, Data: Buffer.from(JSON.stringify(envelope)) };
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function toLogRecord(topic: string, partition: number, offset: number, record: KinesisRecord): LogRecord {
  return {
    topic,
    partition,
    offset,
    timestamp: record.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
    key: record.PartitionKey ? Buffer.from(record.PartitionKey) : undefined,
    value: record.Data ?? new Uint8Array(),
    headers: {},
    sequenceNumber: record.SequenceNumber!,
  };
}

/**
 * A consumer group's checkpoints, `{stream: {shardId: sequence number}}`, in `<dir>/<group>.json`;
 * each save replaces the file atomically (temp file, fsync, rename), one save at a time.
 */
class CheckpointFile {
  private readonly dir: string;
  private readonly file: string;
  private state: Record<string, Record<string, string>> | undefined;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(dir: string, group: string) {
    this.dir = dir;
    this.file = join(dir, `${encodeURIComponent(group)}.json`);
  }

  async load(): Promise<Record<string, Record<string, string>>> {
    this.state ??= await readFile(this.file, 'utf8')
      .then((text) => JSON.parse(text) as Record<string, Record<string, string>>)
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return {};
        throw error;
      });
    return this.state;
  }

  async save(stream: string, shardId: string, sequenceNumber: string): Promise<void> {
    const state = await this.load();
    this.state = { ...state, [stream]: { ...state[stream], [shardId]: sequenceNumber } };
    const snapshot = `${JSON.stringify(this.state, null, 2)}\n`;
    const result = this.writing.then(async () => {
      await mkdir(this.dir, { recursive: true });
      await replaceFileDurably(this.file, snapshot);
    });
    this.writing = result.catch(() => {});
    return result;
  }
}

function unavailable(what: string, error: unknown): TransportUnavailableError {
  if (error instanceof TransportUnavailableError) return error;
  return new TransportUnavailableError(`${what}: ${describe(error)}`, 5, { cause: error });
}

function describe(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(describe).join('; ');
  if (error instanceof Error)
    return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
