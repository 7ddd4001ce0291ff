import { readCanonicalPlay } from '../domain/canonical-play.ts';
import type { ConsumedRecord, RecordFailure } from '../domain/consumed-record.ts';
import { playsFileKey, rejectsFileKey, type SourcePosition } from '../domain/lake-layout.ts';
import type { LakePlayRow } from '../domain/lake-row.ts';
import { emptyPlayValues, PlayColumns, type PlayValues, playValuesOf } from '../domain/play-columns.ts';
import { type FieldError, type PlayValidationContext, validatePlayEvent } from '../domain/play-event.ts';
import { markBody, restatementMarkKeys } from '../domain/restatements.ts';
import type { Clock } from '../ports/clock.ts';
import { type Metrics, noMetrics } from '../ports/metrics.ts';
import type { ObjectStore } from '../ports/object-store.ts';

const HOUR_MS = 3_600_000;

export interface LakeWriterPorts {
  readonly lake: ObjectStore;
  readonly regions: readonly string[];
  /** Names this writer in file names, so the Spark job's files never collide with ours. */
  readonly writer: string;
  /** Encodes one file's plays, given as columns in the order read (it sorts them as the lake wants). */
  readonly encodePlays: (plays: PlayColumns) => Uint8Array | Promise<Uint8Array>;
  /** Counts rows and files written, per kind (plays, rejects); none: not counted. */
  readonly metrics?: Metrics;
  /** Tells whether a window the plays go into is closed, so that they mark it for restatement. */
  readonly clock: Clock;
}

export interface LakeWriteSummary {
  readonly written: number;
  readonly rejected: number;
  readonly files: readonly string[];
  /** Restatement marks written: closed windows that received plays (src/domain/restatements.ts). */
  readonly marks: readonly string[];
  /** The first record of each topic-partition that could not be written, and why. */
  readonly failures: readonly RecordFailure[];
}

export interface Rejection {
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
 * partition is reported as failed from its first record, so the retry writes the very same files
 * again (names derive from the first offset they hold; see docs/contracts.md, "Data lake layout") and nothing is duplicated.
 */
export async function writePlaysToLake(
  records: readonly ConsumedRecord[],
  ports: LakeWriterPorts,
): Promise<LakeWriteSummary> {
  const byPartition = Map.groupBy(records, (record) => `${record.topic}-${record.partition}`);
  const outcomes = await Promise.all(
    [...byPartition.values()].map(async (partitionRecords) => {
      const sorted = inSourceOrder(partitionRecords)
        ? partitionRecords
        : [...partitionRecords].sort(bySourceOrder);
      try {
        return await writePartition(sorted, ports);
      } catch (error) {
        const { topic, partition, offset } = sorted[0]!;
        const failure: RecordFailure = { topic, partition, offset, reason: (error as Error).message };
        return { written: 0, rejected: 0, files: [], playFiles: 0, marks: [], failure };
      }
    }),
  );
  const metrics = ports.metrics ?? noMetrics;
  for (const outcome of outcomes) {
    // Only partitions written whole: a failed one is written again, and counted then.
    if ('failure' in outcome) continue;
    metrics.count('lake_rows_written', outcome.written, { kind: 'plays' });
    metrics.count('lake_rows_written', outcome.rejected, { kind: 'rejects' });
    metrics.count('lake_files_written', outcome.playFiles, { kind: 'plays' });
    metrics.count('lake_files_written', outcome.files.length - outcome.playFiles, { kind: 'rejects' });
  }
  return {
    written: outcomes.reduce((sum, outcome) => sum + outcome.written, 0),
    rejected: outcomes.reduce((sum, outcome) => sum + outcome.rejected, 0),
    files: outcomes.flatMap((outcome) => outcome.files),
    marks: outcomes.flatMap((outcome) => outcome.marks),
    failures: outcomes.flatMap((outcome) => ('failure' in outcome ? [outcome.failure] : [])),
  };
}

/** Whether the records are in source order already, as a transport delivers a partition's: no sort needed. */
function inSourceOrder(records: readonly ConsumedRecord[]): boolean {
  for (let i = 1; i < records.length; i++) {
    if (bySourceOrder(records[i - 1]!, records[i]!) > 0) return false;
  }
  return true;
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
  // Each hour's plays as columns and its first record (which names the file), built in one pass: no object per
  // play when the record is what ingest publishes (readCanonicalPlay), the general path's row otherwise.
  const byHour = new Map<number, { plays: PlayColumns; first: ConsumedRecord }>();
  const rejected: { rejection: Rejection; record: ConsumedRecord }[] = [];
  const contextAt = validationContexts(ports.regions);
  // The one PlayValues the pass reads every canonical record into (its values are copied out at once).
  const read: PlayValues = emptyPlayValues();
  let hour: { plays: PlayColumns; first: ConsumedRecord } | undefined;
  let hourOf = Number.NaN;
  for (const record of records) {
    let play = read;
    if (
      record.malformed !== undefined ||
      !readCanonicalPlay(record.value, ports.regions, record.timestamp, read)
    ) {
      const verdict = decodePlay(record, ports.regions, contextAt(record.timestamp));
      if ('errors' in verdict) {
        rejected.push({ rejection: verdict, record });
        continue;
      }
      play = playValuesOf(verdict);
    }
    // UTC hours are whole multiples of an hour since the epoch: cheaper per row than windowContaining.
    const hourStart = Math.floor(play.played_at_ms / HOUR_MS) * HOUR_MS;
    if (hourStart !== hourOf) {
      hour = byHour.get(hourStart);
      if (!hour) {
        hour = { plays: new PlayColumns(), first: record };
        byHour.set(hourStart, hour);
      }
      hourOf = hourStart;
    }
    hour!.plays.append(play, record);
  }

  // Each file's write starts once it is encoded, and the next file is encoded while it is under way: a write is
  // five steps in the thread pool (open, write, fsync, close, rename), which used to hold the partition's next
  // file until its fsync returned while the thread sat idle (docs/decisions.md, "Lake-writer: a
  // partition's files written at once").
  // Each outcome caught as it comes (a rejection left waiting for the loop would be reported as unhandled).
  const writes: Promise<{ marks: readonly string[] } | { error: unknown }>[] = [];
  const files: string[] = [];
  let written = 0;
  let settled: Awaited<(typeof writes)[number]>[];
  try {
    for (const [hourStart, { plays, first }] of byHour) {
      written += plays.length;
      const key = playsFileKey(new Date(hourStart), sourceOf(first, ports.writer));
      files.push(key);
      const body = await ports.encodePlays(plays);
      writes.push(
        writePlaysFile(key, body, hourStart, ports).then(
          (marks) => ({ marks }),
          (error: unknown) => ({ error }),
        ),
      );
      // A turn of the event loop, so that the writes under way take their next step before this encoding goes on.
      await new Promise(setImmediate);
    }
  } finally {
    // Every write settled before the partition answers, failed or not (an encoding that throws too): none is still
    // under way when its retry starts.
    settled = await Promise.all(writes);
  }
  const marks: string[] = [];
  for (const outcome of settled) {
    if ('error' in outcome) throw outcome.error;
    marks.push(...outcome.marks);
  }
  // One file per UTC date each record reached the transport (rejects/dt=…), like plays per hour: a batch
  // that spans midnight files each reject under its own date, named after that date's first record.
  const playFiles = files.length;
  const byDate = Map.groupBy(rejected, ({ rejection }) => rejection.received_at.slice(0, 10));
  for (const dayRejects of byDate.values()) {
    const first = dayRejects[0]!;
    const key = rejectsFileKey(new Date(first.rejection.received_at), sourceOf(first.record, ports.writer));
    const lines = dayRejects.map(({ rejection }) => `${JSON.stringify(rejection)}\n`).join('');
    await ports.lake.put(key, new TextEncoder().encode(lines), 'application/x-ndjson');
    files.push(key);
  }
  return { written, rejected: rejected.length, files, playFiles, marks };
}

/**
 * The validation context of a record (its transport timestamp is validation's clock), made once per timestamp
 * in a row: records of a batch share few, and a Date per play was a tenth of validation's cost.
 */
function validationContexts(regions: readonly string[]): (timestamp: number) => PlayValidationContext {
  let last: { timestamp: number; context: PlayValidationContext } | undefined;
  return (timestamp) => {
    if (last?.timestamp !== timestamp) last = { timestamp, context: { regions, now: new Date(timestamp) } };
    return last.context;
  };
}

/**
 * A record as the lake-writer judges it: its lake row, or why it goes to rejects/ (the live chart judges alike).
 * `context`: the regions and the record's timestamp as validation's clock, when the caller has it made already.
 */
export function decodePlay(
  record: ConsumedRecord,
  regions: readonly string[],
  context: PlayValidationContext = { regions, now: new Date(record.timestamp) },
): LakePlayRow | Rejection {
  const reject = (errors: FieldError[]): Rejection => ({
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    ...(record.sequenceNumber !== undefined ? { sequence_number: record.sequenceNumber } : {}),
    received_at: new Date(record.timestamp).toISOString(),
    errors,
    value: record.value,
  });
  if (record.malformed !== undefined) return reject([{ field: '(record)', message: record.malformed }]);
  let candidate: unknown;
  try {
    candidate = JSON.parse(record.value);
  } catch (error) {
    return reject([{ field: '(record)', message: `value is not valid JSON: ${(error as Error).message}` }]);
  }
  const result = validatePlayEvent(candidate, context);
  if (!result.ok) return reject(result.errors);
  // The validated event is a fresh object of this call's own: completed in place rather than copied, a row of
  // garbage less per play.
  const row = result.value as Mutable<LakePlayRow>;
  row.source_topic = record.topic;
  row.source_partition = record.partition;
  row.source_offset = record.offset;
  return row;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Writes a plays file, then the restatement marks it is due (their keys): a mark only once its file is durable. */
async function writePlaysFile(
  key: string,
  body: Uint8Array,
  hourStart: number,
  ports: LakeWriterPorts,
): Promise<readonly string[]> {
  await ports.lake.put(key, body, 'application/vnd.apache.parquet');
  // Only once the file is durable, so that a chart run that sees the mark also sees the file; a failed mark
  // fails the partition, whose retry writes the same file and mark again.
  const now = ports.clock();
  const due = restatementMarkKeys(new Date(hourStart), key, now);
  await Promise.all(due.map((mark) => ports.lake.put(mark, markBody(key, now), 'application/json')));
  return due;
}

function sourceOf(record: ConsumedRecord, writer: string): SourcePosition {
  return {
    writer,
    topic: record.topic,
    partition: record.partition,
    firstOffset: record.sequenceNumber ?? record.offset,
  };
}
