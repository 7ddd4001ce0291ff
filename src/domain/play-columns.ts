import { instantMs } from './iso-instant.ts';
import type { LakePlayRow } from './lake-row.ts';
import type { PlayEvent } from './play-event.ts';

/**
 * A play's values as the lake stores them, `played_at` as its instant (epoch ms): what the lake-writer reads
 * out of a record before it goes into a file's columns.
 */
export interface PlayValues {
  event_id: string;
  user_id: string;
  song_id: string;
  region: string;
  played_at_ms: number;
  ms_played: number;
  device: string | undefined;
  session_id: string | undefined;
}

/** A PlayValues to read a record into (readCanonicalPlay fills every field). */
export const emptyPlayValues = (): PlayValues => ({
  event_id: '',
  user_id: '',
  song_id: '',
  region: '',
  played_at_ms: 0,
  ms_played: 0,
  device: undefined,
  session_id: undefined,
});

/** Where a play was read: the `source_*` columns. */
export interface PlaySource {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * The rows of one `plays/` file, column by column (docs/contracts.md, "Data lake layout"), in the order they
 * were read: the lake-writer appends each record's values here without a row object per play, and its encoder
 * writes pages from these arrays (docs/decisions.md, "Lake-writer: plays read into columns").
 */
export class PlayColumns {
  readonly event_id: string[] = [];
  readonly user_id: string[] = [];
  readonly song_id: string[] = [];
  readonly region: string[] = [];
  /** `played_at` as epoch milliseconds: validated plays are whole milliseconds in UTC. */
  readonly played_at_ms: number[] = [];
  readonly ms_played: number[] = [];
  readonly device: (string | undefined)[] = [];
  readonly session_id: (string | undefined)[] = [];
  readonly source_topic: string[] = [];
  readonly source_partition: number[] = [];
  readonly source_offset: number[] = [];

  get length(): number {
    return this.event_id.length;
  }

  append(play: PlayValues, source: PlaySource): void {
    this.event_id.push(play.event_id);
    this.user_id.push(play.user_id);
    this.song_id.push(play.song_id);
    this.region.push(play.region);
    this.played_at_ms.push(play.played_at_ms);
    this.ms_played.push(play.ms_played);
    this.device.push(play.device);
    this.session_id.push(play.session_id);
    this.source_topic.push(source.topic);
    this.source_partition.push(source.partition);
    this.source_offset.push(source.offset);
  }
}

/** A validated play's values (played_at read as its instant). */
export function playValuesOf(play: PlayEvent): PlayValues {
  return {
    event_id: play.event_id,
    user_id: play.user_id,
    song_id: play.song_id,
    region: play.region,
    played_at_ms: instantMs(play.played_at),
    ms_played: play.ms_played,
    device: play.device,
    session_id: play.session_id,
  };
}

/** Rows as columns, in their order: for callers that hold rows (tests, benchmarks, the DuckDB encoder's callers). */
export function playColumnsOf(rows: readonly LakePlayRow[]): PlayColumns {
  const columns = new PlayColumns();
  for (const row of rows) {
    columns.append(playValuesOf(row), {
      topic: row.source_topic,
      partition: row.source_partition,
      offset: row.source_offset,
    });
  }
  return columns;
}

/** Columns as rows, in their order; `played_at` in `toISOString`'s form, device and session_id only when present. */
export function playRowsOf(columns: PlayColumns): LakePlayRow[] {
  return Array.from({ length: columns.length }, (_, i) => {
    const device = columns.device[i];
    const session = columns.session_id[i];
    return {
      event_id: columns.event_id[i]!,
      user_id: columns.user_id[i]!,
      song_id: columns.song_id[i]!,
      region: columns.region[i]!,
      played_at: new Date(columns.played_at_ms[i]!).toISOString(),
      ms_played: columns.ms_played[i]!,
      ...(device === undefined ? {} : { device }),
      ...(session === undefined ? {} : { session_id: session }),
      source_topic: columns.source_topic[i]!,
      source_partition: columns.source_partition[i]!,
      source_offset: columns.source_offset[i]!,
    };
  });
}
