/**
 * Where things live in the data lake. Plays are partitioned by event time (UTC):
 *   plays/dt=YYYY-MM-DD/hour=HH/<writer>-<topic>-<partition>-<first offset>.parquet
 * A file is named after the first source offset it holds; see docs/lake.md for why that
 * (rather than first and last offset) makes a retried or resumed write replace, never duplicate.
 */
import type { Period } from './charts.ts';

export const PLAYS_PREFIX = 'plays/';
export const REJECTS_PREFIX = 'rejects/';
export const CATALOG_KEY = 'catalog/songs.parquet';

export interface SourcePosition {
  readonly writer: string;
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: number;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

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

export function isPlaysFile(key: string): boolean {
  return key.startsWith(PLAYS_PREFIX) && key.endsWith('.parquet');
}
