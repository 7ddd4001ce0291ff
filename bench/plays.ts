/**
 * Seeded play events for the benchmarks: the same seed gives the same plays, run after run.
 * Song popularity is skewed (a few hits, a long tail), a share of plays is too short to count.
 */
import { createRandom, createZipfSampler } from '../src/adapters/catalog/seeded-random.ts';
import { partitionFor } from '../src/adapters/transport/embedded/partitioner.ts';
import type { ConsumedRecord } from '../src/domain/consumed-record.ts';
import type { LakePlayRow } from '../src/domain/lake-row.ts';
import type { PlayEvent } from '../src/domain/play-event.ts';
import { defaultRegions } from '../src/domain/regions.ts';
import { topics } from '../src/topology.ts';

export const HOUR_MS = 60 * 60 * 1000;
/** The instant the benchmarks pretend it is (their clock), so that validation judges every run alike. */
export const BENCH_NOW = Date.parse('2026-11-27T12:00:00.000Z');
export const PLAYS_TOPIC = topics.plays.name;
export const PLAYS_PARTITIONS = topics.plays.partitions;

export interface IndependentPlayGeneratorOptions {
  readonly seed: number;
  readonly users?: number;
  readonly songs?: number;
  /** Share of plays shorter than the 30 s that a chart counts. */
  readonly shortShare?: number;
}

export interface IndependentPlayGenerator {
  /** A play at a uniformly random instant in [startMs, endMs). */
  playBetween(startMs: number, endMs: number): PlayEvent;
}

const devices = ['ios', 'android', 'web', 'desktop', 'speaker'] as const;
const pad = (value: number, width: number) => String(value).padStart(width, '0');

/**
 * Plays each drawn on its own (a random user, a Zipf-ranked song, a uniform instant): no listeners, sessions
 * or time of day, unlike the simulator's createListenerPlayGenerator; cheap, for volume.
 */
export function createIndependentPlayGenerator(
  options: IndependentPlayGeneratorOptions,
): IndependentPlayGenerator {
  const random = createRandom(options.seed);
  const users = options.users ?? 50_000;
  const songs = createZipfSampler(options.songs ?? 5_000, 1);
  const shortShare = options.shortShare ?? 0.25;
  return {
    playBetween(startMs, endMs) {
      const userIndex = random.int(1, users);
      const playedAt = startMs + Math.floor(random.next() * (endMs - startMs));
      const device = random.chance(0.9) ? random.pick(devices) : undefined;
      const session = random.chance(0.8) ? `session-${pad(userIndex, 6)}-${random.int(1, 20)}` : undefined;
      // Keys in the order validation returns them, so that JSON.stringify(play) is what ingest publishes.
      return {
        event_id: random.uuid(),
        user_id: `user-${pad(userIndex, 6)}`,
        song_id: `song-${pad(songs.sample(random) + 1, 6)}`,
        region: random.pick(defaultRegions),
        played_at: new Date(playedAt).toISOString(),
        ms_played: random.chance(shortShare) ? random.int(1_000, 29_999) : random.int(30_000, 300_000),
        ...(device === undefined ? {} : { device }),
        ...(session === undefined ? {} : { session_id: session }),
      };
    },
  };
}

/** The plays as the lake-writer receives them: on the partition ingest would choose, offsets in order. */
export function consumedRecords(
  plays: readonly PlayEvent[],
  nextOffsets: number[],
  timestamp: number,
): ConsumedRecord[] {
  return plays.map((play) => {
    const partition = partitionFor(play.user_id, PLAYS_PARTITIONS);
    const offset = nextOffsets[partition]!;
    nextOffsets[partition] = offset + 1;
    return { topic: PLAYS_TOPIC, partition, offset, timestamp, value: JSON.stringify(play) };
  });
}

export function lakeRow(play: PlayEvent, partition: number, offset: number): LakePlayRow {
  return { ...play, source_topic: PLAYS_TOPIC, source_partition: partition, source_offset: offset };
}
