import { windowContaining } from '../domain/charts.ts';
import { playsFileKey, rejectsFileKey, type SourcePosition } from '../domain/lake-layout.ts';
import type { LakePlayRow } from '../domain/lake-row.ts';
import { type FieldError, validatePlayEvent } from '../domain/play-event.ts';
import type { ObjectStore } from '../ports/object-store.ts';

/** A record as the consumer function receives it (Kafka, Kinesis or embedded; value already decoded). */
export interface ConsumedRecord {
  readonly topic: string;
  /** Kafka: the partition. Kinesis: the shard's index (`shardId-000000000002` → 2). */
  readonly partition: number;
  /** Kafka: the offset. Kinesis: `sequenceNumberOffset(sequenceNumber)`, what `source_offset` holds. */
  readonly offset: number;
  /**
   * Kinesis only: the record's sequence number. It then orders the shard's records and names the files
   * (a file is named after the sequence number of its first record, so a retried batch, which Kinesis
   * restarts from the first failed record, writes the same names again).
   */
  readonly sequenceNumber?: string;
  /** When the transport received it (ms since epoch): the clock that validation uses, so replays judge alike. */
  readonly timestamp: number;
  readonly value: string;
}

export interface BatchItemFailure {
  readonly itemIdentifier: { readonly partition: string; readonly offset: number };
}

export interface LakeWriterPorts {
  readonly lake: ObjectStore;
  readonly regions: readonly string[];
  /** Names this writer in file names, so the Spark job's files never collide with ours. */
  readonly writer: string;
  readonly encodePlays: (rows: readonly LakePlayRow[]) => Promise<Uint8Array>;
}

export interface LakeWriteSummary {
  readonly written: number;
  readonly rejected: number;
  readonly files: readonly string[];
  readonly batchItemFailures: readonly BatchItemFailure[];
  readonly errors: readonly { readonly partition: string; readonly message: string }[];
}

interface Rejection {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly sequence_number?: string;
  readonly received_at: string;
  readonly errors: readonly FieldError[];
  readonly value: string;
}

/**
 * Writes a batch of play records to the lake: valid plays as Parquet, one file per UTC hour and
 * source partition, invalid ones as JSON lines under rejects/ with their reasons.
 *
 * Each topic-partition succeeds or fails as a whole: when one of its files cannot be written, the
 * partition is reported as failed from its first offset, so the retry writes the very same files
 * again (names derive from the first offset they hold; see docs/contracts.md, "Data lake layout") and nothing is duplicated.
 */
export async function writePlaysToLake(
  records: readonly ConsumedRecord[],
  ports: LakeWriterPorts,
): Promise<LakeWriteSummary> {
  const byPartition = Map.groupBy(records, (record) => `${record.topic}-${record.partition}`);
  const outcomes = await Promise.all(
    [...byPartition].map(async ([partitionKey, partitionRecords]) => {
      const sorted = [...partitionRecords].sort(bySourceOrder);
      try {
        return await writePartition(sorted, ports);
      } catch (error) {
        return {
          written: 0,
          rejected: 0,
          files: [],
          failure: { itemIdentifier: { partition: partitionKey, offset: sorted[0]!.offset } },
          error: { partition: partitionKey, message: (error as Error).message },
        };
      }
    }),
  );
  return {
    written: outcomes.reduce((sum, outcome) => sum + outcome.written, 0),
    rejected: outcomes.reduce((sum, outcome) => sum + outcome.rejected, 0),
    files: outcomes.flatMap((outcome) => outcome.files),
    batchItemFailures: outcomes.flatMap((outcome) => ('failure' in outcome ? [outcome.failure] : [])),
    errors: outcomes.flatMap((outcome) => ('error' in outcome ? [outcome.error] : [])),
  };
}

/** Offsets ascending, or sequence numbers (as big integers) for Kinesis records. */
function bySourceOrder(a: ConsumedRecord, b: ConsumedRecord): number {
  if (a.sequenceNumber !== undefined && b.sequenceNumber !== undefined) {
    const [x, y] = [BigInt(a.sequenceNumber), BigInt(b.sequenceNumber)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a.offset - b.offset;
}

async function writePartition(records: readonly ConsumedRecord[], ports: LakeWriterPorts) {
  const valid: { row: LakePlayRow; record: ConsumedRecord }[] = [];
  const rejected: { rejection: Rejection; record: ConsumedRecord }[] = [];
  for (const record of records) {
    const verdict = decodePlay(record, ports.regions);
    if ('errors' in verdict) rejected.push({ rejection: verdict, record });
    else valid.push({ row: verdict, record });
  }

  const files: string[] = [];
  const byHour = Map.groupBy(valid, ({ row }) =>
    windowContaining('hour', new Date(row.played_at)).start.getTime(),
  );
  for (const [hourStart, hourPlays] of byHour) {
    const key = playsFileKey(new Date(hourStart), sourceOf(hourPlays[0]!.record, ports.writer));
    const hourRows = hourPlays.map(({ row }) => row);
    await ports.lake.put(key, await ports.encodePlays(hourRows), 'application/vnd.apache.parquet');
    files.push(key);
  }
  // One file per UTC date each record reached the transport (rejects/dt=…), like plays per hour: a batch
  // that spans midnight files each reject under its own date, named after that date's first record.
  const byDate = Map.groupBy(rejected, ({ rejection }) => rejection.received_at.slice(0, 10));
  for (const dayRejects of byDate.values()) {
    const first = dayRejects[0]!;
    const key = rejectsFileKey(new Date(first.rejection.received_at), sourceOf(first.record, ports.writer));
    const lines = dayRejects.map(({ rejection }) => `${JSON.stringify(rejection)}\n`).join('');
    await ports.lake.put(key, new TextEncoder().encode(lines), 'application/x-ndjson');
    files.push(key);
  }
  return { written: valid.length, rejected: rejected.length, files };
}

function decodePlay(record: ConsumedRecord, regions: readonly string[]): LakePlayRow | Rejection {
  const reject = (errors: FieldError[]): Rejection => ({
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    ...(record.sequenceNumber !== undefined ? { sequence_number: record.sequenceNumber } : {}),
    received_at: new Date(record.timestamp).toISOString(),
    errors,
    value: record.value,
  });
  let candidate: unknown;
  try {
    candidate = JSON.parse(record.value);
  } catch (error) {
    return reject([{ field: '(record)', message: `value is not valid JSON: ${(error as Error).message}` }]);
  }
  const result = validatePlayEvent(candidate, { regions, now: new Date(record.timestamp) });
  if (!result.ok) return reject(result.errors);
  return {
    ...result.value,
    source_topic: record.topic,
    source_partition: record.partition,
    source_offset: record.offset,
  };
}

function sourceOf(record: ConsumedRecord, writer: string): SourcePosition {
  return {
    writer,
    topic: record.topic,
    partition: record.partition,
    firstOffset: record.sequenceNumber ?? record.offset,
  };
}
