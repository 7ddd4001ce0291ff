import { createRandom, type Random } from '../src/adapters/catalog/seeded-random.ts';
import type { ListenerPlayGenerator, PlayPayload } from './model.ts';

/**
 * Mixes faults into the stream of plays: re-deliveries of earlier events and invalid events.
 * Every item is tagged with what it is (outside the wire payload), so a test can compute the
 * expected chart counts without trusting the system under test.
 */

export type PlayKind = 'valid' | 'duplicate' | 'invalid';

export interface GeneratedPlay {
  /** The wire payload. `unknown` because invalid events deliberately break the contract. */
  payload: unknown;
  kind: PlayKind;
  /** For invalid events: which rule they break (one of `invalidReasons`). */
  reason?: string;
}

export const invalidReasons = [
  'unknown-region',
  'missing-field',
  'wrong-type',
  'negative-ms-played',
  'future-played-at',
  'too-old-played-at',
  'malformed-event-id',
] as const;
export type InvalidReason = (typeof invalidReasons)[number];

export const DEFAULT_DUPLICATE_RATE = 0.02;
export const DEFAULT_INVALID_RATE = 0.01;
/** A duplicate re-sends an event from at least this many events earlier: a later batch at any batch size ≤ 500. */
export const DEFAULT_DUPLICATE_LAG = 500;

export interface FaultOptions {
  seed: number;
  duplicateRate?: number;
  invalidRate?: number;
  duplicateLag?: number;
}

export interface PlayStream {
  /** The next item stamped at `at`: a valid play, a duplicate of an earlier one, or an invalid event. */
  next(at: Date): GeneratedPlay;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const requiredFields = ['event_id', 'user_id', 'song_id', 'region', 'played_at', 'ms_played'] as const;
const unknownRegions = ['xx', 'zz', 'atlantis', 'mars'];

export function createPlayStream(generator: ListenerPlayGenerator, options: FaultOptions): PlayStream {
  const duplicateRate = options.duplicateRate ?? DEFAULT_DUPLICATE_RATE;
  const invalidRate = options.invalidRate ?? DEFAULT_INVALID_RATE;
  checkRate('duplicateRate', duplicateRate);
  checkRate('invalidRate', invalidRate);
  if (duplicateRate + invalidRate > 1) throw new Error('duplicateRate + invalidRate must not exceed 1');
  const lag = options.duplicateLag ?? DEFAULT_DUPLICATE_LAG;
  const random = createRandom(`faults:${options.seed}`);

  // Recent valid events with their position in the stream, oldest first, in a bounded ring.
  const capacity = lag + 2000;
  const ring: { position: number; payload: PlayPayload }[] = [];
  let oldest = 0;
  let position = 0;
  const entry = (i: number) => ring[(oldest + i) % capacity]!;

  const remember = (payload: PlayPayload): void => {
    // Payloads are flat, so a spread is a deep copy: later mutation by a caller cannot alter a duplicate.
    const stored = { position, payload: { ...payload } };
    if (ring.length < capacity) ring.push(stored);
    else {
      ring[oldest] = stored;
      oldest = (oldest + 1) % capacity;
    }
  };

  const duplicate = (): PlayPayload | undefined => {
    if (ring.length === 0) return undefined;
    // Binary search for how many remembered events are at least `lag` positions back.
    let low = 0;
    let high = ring.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (entry(middle).position <= position - lag) low = middle + 1;
      else high = middle;
    }
    // Early in a stream nothing is old enough; any earlier event still makes a re-delivery.
    const pick = random.int(0, (low > 0 ? low : ring.length) - 1);
    return { ...entry(pick).payload };
  };

  return {
    next(at) {
      position += 1;
      const roll = random.next();
      if (roll < duplicateRate) {
        const payload = duplicate();
        if (payload) return { payload, kind: 'duplicate' };
      } else if (roll < duplicateRate + invalidRate) {
        const reason = random.pick(invalidReasons);
        return {
          payload: breakPlay(generator.playAt(at), reason, generator.regions, at, random),
          kind: 'invalid',
          reason,
        };
      }
      const payload = generator.playAt(at);
      remember(payload);
      return { payload, kind: 'valid' };
    },
  };
}

function checkRate(name: string, rate: number): void {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`${name} must be between 0 and 1, got ${rate}`);
}

/** Turns a valid play into one that breaks exactly one rule of the contract. */
export function breakPlay(
  play: PlayPayload,
  reason: InvalidReason,
  regions: readonly string[],
  at: Date,
  random: Random,
): Record<string, unknown> {
  const event: Record<string, unknown> = { ...play };
  switch (reason) {
    case 'unknown-region':
      event.region = unknownRegions.find((code) => !regions.includes(code)) ?? `not-${regions.join('-')}`;
      break;
    case 'missing-field':
      delete event[random.pick(requiredFields)];
      break;
    case 'wrong-type':
      event.ms_played = String(play.ms_played);
      break;
    case 'negative-ms-played':
      event.ms_played = -random.int(1, 60_000);
      break;
    case 'future-played-at':
      event.played_at = new Date(at.getTime() + random.int(365, 730) * DAY_MS).toISOString();
      break;
    case 'too-old-played-at':
      event.played_at = new Date(at.getTime() - random.int(31, 90) * DAY_MS).toISOString();
      break;
    case 'malformed-event-id':
      event.event_id = random.pick([
        play.event_id.slice(0, 30),
        play.event_id.replaceAll('-', ''),
        `evt-${random.int(1, 999_999)}`,
        `${play.event_id.slice(0, 35)}g`,
      ]);
      break;
  }
  return event;
}
