/**
 * Where things live in the data lake. Plays are partitioned by event time (UTC):
 *   plays/dt=YYYY-MM-DD/hour=HH/<writer>-<topic>-<partition>-<first offset>.parquet
 * A file is named after the first source offset it holds: docs/contracts.md ("Why a file is named after its
 * first offset only") says why that (rather than first and last offset) makes a retried or resumed write
 * replace, never duplicate.
 * From a Kinesis stream, "offset" is the record's sequence number (partition = shard index).
 */
import { createHash } from 'node:crypto';
import type { Period } from './charts.ts';

export const PLAYS_PREFIX = 'plays/';
export const REJECTS_PREFIX = 'rejects/';
/** The current catalog: what catalog-sync and the simulator read. */
export const CATALOG_KEY = 'catalog/songs.parquet';
/** Every catalog ever written, one folder per version, never replaced: `catalog/versions/<version>/songs.parquet`. */
export const CATALOG_VERSIONS_PREFIX = 'catalog/versions/';

export function catalogVersionKey(version: string): string {
  return `${CATALOG_VERSIONS_PREFIX}${version}/songs.parquet`;
}

export interface SourcePosition {
  readonly writer: string;
  readonly topic: string;
  readonly partition: number;
  /** Kafka: an offset. Kinesis: a sequence number (a decimal string of up to 56 digits). */
  readonly firstOffset: number | string;
}

const pad = (value: number | string, width = 2) => String(value).padStart(width, '0');

export function dateOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** The partition folder of the UTC hour containing `instant`. */
export function hourPartitionPrefix(instant: Date): string {
  return `${PLAYS_PREFIX}dt=${dateOf(instant)}/hour=${pad(instant.getUTCHours())}/`;
}

export function dayPartitionPrefix(instant: Date): string {
  return `${PLAYS_PREFIX}dt=${dateOf(instant)}/`;
}

/** The prefix holding every play of the chart window starting at `windowStart`. */
export function windowPrefix(period: Period, windowStart: Date): string {
  return period === 'hour' ? hourPartitionPrefix(windowStart) : dayPartitionPrefix(windowStart);
}

function sourceName({ writer, topic, partition, firstOffset }: SourcePosition): string {
  return `${writer}-${topic}-${partition}-${pad(firstOffset, 12)}`;
}

export function playsFileKey(hourStart: Date, source: SourcePosition): string {
  return `${hourPartitionPrefix(hourStart)}${sourceName(source)}.parquet`;
}

/** Rejected records, partitioned by the date they reached the transport, as JSON lines with reasons. */
export function rejectsFileKey(receivedAt: Date, source: SourcePosition): string {
  return `${REJECTS_PREFIX}dt=${dateOf(receivedAt)}/${sourceName(source)}.jsonl`;
}

/**
 * The `source_offset` (a BIGINT column) of a Kinesis record: its sequence number does not fit 64 bits, so
 * the lake keeps a 53-bit fingerprint of it (the first bits of its SHA-256). The same record always gets
 * the same value, so a retried batch writes identical rows; two records of one shard collide with
 * probability about n²/2⁵⁴ (10⁻⁷ for 100 000 records), and nothing depends on it being unique: charts
 * deduplicate by event_id, and files are named after the full sequence number. It is not ordered.
 */
export function sequenceNumberOffset(sequenceNumber: string): number {
  const digest = createHash('sha256').update(sequenceNumber).digest();
  return Number(digest.readBigUInt64BE(0) >> 11n);
}

export function isPlaysFile(key: string): boolean {
  return key.startsWith(PLAYS_PREFIX) && key.endsWith('.parquet');
}

/**
 * A file a writer (lake-writer, Spark) put in an hour folder, as opposed to compaction's: those live under
 * `_compacted/` and are read only as an hour's `_compaction.json` names them (docs/contracts.md, "Compaction").
 */
export function isWriterPlaysFile(key: string): boolean {
  return (
    isPlaysFile(key) &&
    !key
      .slice(PLAYS_PREFIX.length)
      .split('/')
      .some((part) => part.startsWith('_'))
  );
}

/** The manifest of an hour's compaction: which compacted files hold the hour, which writer files they replace. */
export function compactionManifestKey(hourStart: Date): string {
  return `${hourPartitionPrefix(hourStart)}_compaction.json`;
}

export function compactedFilesPrefix(hourStart: Date): string {
  return `${hourPartitionPrefix(hourStart)}_compacted/`;
}

/** Compaction output: `_compacted/<generation>-<n>.parquet`; a generation starts with its time, so it sorts as time. */
export function compactedFileKey(hourStart: Date, generation: string, index: number): string {
  return `${compactedFilesPrefix(hourStart)}${generation}-${pad(index, 3)}.parquet`;
}

/** The UTC hour whose folder holds `key` (`plays/dt=…/hour=HH/…`), or undefined for a key outside one. */
export function hourOfKey(key: string): Date | undefined {
  const match = /^plays\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\//.exec(key);
  return match ? new Date(`${match[1]}T${match[2]}:00:00.000Z`) : undefined;
}
