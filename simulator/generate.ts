import type { Song } from '../src/adapters/catalog/seeded-catalog.ts';
import { createRandom } from '../src/adapters/catalog/seeded-random.ts';
import { createPlayStream, type GeneratedPlay } from './faults.ts';
import { createListenerPlayGenerator } from './model.ts';

export interface GeneratePlaysOptions {
  seed: number;
  /** How many items to return, duplicates and invalid events included. */
  count: number;
  /** Plays are stamped within [from, to). */
  from: Date;
  to: Date;
  regions?: readonly string[];
  duplicateRate?: number;
  invalidRate?: number;
  shortRate?: number;
  catalog?: readonly Song[];
}

/**
 * A fixed set of plays over a time window, each tagged valid / duplicate / invalid, in time order.
 * Deterministic: the same options give deep-equal output. Counted plays (what charts should
 * show) are the `valid` ones with ms_played ≥ 30000; duplicates repeat an earlier valid event.
 */
export function generatePlays(options: GeneratePlaysOptions): GeneratedPlay[] {
  const { seed, count, from, to } = options;
  if (!Number.isInteger(count) || count < 0)
    throw new Error(`count must be a non-negative integer, got ${count}`);
  const span = to.getTime() - from.getTime();
  if (!(span > 0)) throw new Error('`to` must be after `from`');

  const { regions, shortRate, catalog, duplicateRate, invalidRate } = options;
  const generator = createListenerPlayGenerator({ seed, regions, shortRate, catalog });
  const stream = createPlayStream(generator, { seed, duplicateRate, invalidRate });
  return uniformTimes(seed, count, from, span).map((at) => stream.next(at));
}

/** `count` instants drawn uniformly from [from, from + span), sorted, at millisecond precision. */
export function uniformTimes(seed: number | string, count: number, from: Date, span: number): Date[] {
  const random = createRandom(`times:${seed}:${from.getTime()}`);
  const offsets = new Float64Array(count);
  for (let i = 0; i < count; i++) offsets[i] = Math.floor(random.next() * span);
  offsets.sort();
  return Array.from(offsets, (offset) => new Date(from.getTime() + offset));
}
