/**
 * Test traffic with known composition: valid plays (some short), duplicate deliveries of earlier
 * valid plays, and invalid events of every kind, from a seeded generator.
 */
import { randomUUID } from 'node:crypto';
import { createRandom } from '../src/adapters/catalog/seeded-random.ts';
import type { ReferencePlay } from './reference-charts.ts';

export interface TrafficPlan {
  readonly seed: number;
  readonly count: number;
  readonly windowStart: Date;
  readonly windowMs: number;
  readonly regions: readonly string[];
  readonly songs: number;
}

export interface GeneratedTraffic {
  /** Every event in sending order, duplicates and invalid ones included. */
  readonly events: unknown[];
  /** For each event, whether ingest must accept it. */
  readonly valid: boolean[];
  /** The accepted events, duplicates included: what the lake receives. */
  readonly deliveries: ReferencePlay[];
}

function uuid(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const invalidKinds: ((play: Record<string, unknown>) => Record<string, unknown>)[] = [
  (play) => ({ ...play, region: 'atlantis' }),
  ({ song_id: _dropped, ...play }) => play,
  (play) => ({ ...play, ms_played: String(play.ms_played) }),
  (play) => ({ ...play, ms_played: -1 }),
  (play) => ({ ...play, event_id: 'not-a-uuid' }),
  (play) => ({ ...play, played_at: '2999-01-01T00:00:00Z' }),
  (play) => ({ ...play, played_at: '2020-01-01T00:00:00Z' }),
  (play) => ({ ...play, played_at: 'yesterday' }),
];

export function generateTraffic(plan: TrafficPlan): GeneratedTraffic {
  const next = createRandom(plan.seed).next;
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const events: unknown[] = [];
  const valid: boolean[] = [];
  const deliveries: ReferencePlay[] = [];
  while (events.length < plan.count) {
    const roll = next();
    if (roll < 0.04 && deliveries.length > 0) {
      const again = pick(deliveries);
      events.push({ ...again });
      valid.push(true);
      deliveries.push(again);
      continue;
    }
    // Skewed popularity with many ties among the tail: song k with weight ~ 1/(k+1).
    const song = Math.floor(plan.songs ** next()) - 1;
    const play = {
      event_id: uuid(next),
      user_id: `user-${Math.floor(next() * 300)}`,
      song_id: `song-${String(song).padStart(6, '0')}`,
      region: pick(plan.regions),
      played_at: new Date(plan.windowStart.getTime() + Math.floor(next() * plan.windowMs)).toISOString(),
      ms_played: next() < 0.25 ? Math.floor(next() * 30_000) : 30_000 + Math.floor(next() * 200_000),
      device: pick(['ios', 'android', 'web']),
    };
    if (roll < 0.07) {
      events.push(pick(invalidKinds)(play));
      valid.push(false);
      continue;
    }
    events.push(play);
    valid.push(true);
    deliveries.push(play);
  }
  return { events, valid, deliveries };
}

/** A valid, counted play from 5 minutes ago by one of 50 users, of one of 8 songs, in `us`. */
export const recentPlay = (overrides: Record<string, unknown> = {}) => ({
  event_id: randomUUID(),
  user_id: `user-${Math.floor(Math.random() * 50)}`,
  song_id: `song-${String(Math.floor(Math.random() * 8)).padStart(6, '0')}`,
  region: 'us',
  played_at: new Date(Date.now() - 5 * 60_000).toISOString(),
  ms_played: 45_000,
  ...overrides,
});
