import { describe, expect, it } from 'vitest';
import { invalidReasons } from '../../../simulator/faults.ts';
import { generatePlays } from '../../../simulator/index.ts';
import { validatePlayEvent } from '../../../src/domain/play-event.ts';
import { defaultRegions } from '../../../src/domain/regions.ts';

const from = new Date('2026-11-27T10:00:00Z');
const to = new Date('2026-11-27T11:00:00Z');
const context = { regions: defaultRegions, now: new Date(to.getTime() + 60_000) };
const ms = (payload: unknown) => Date.parse((payload as { played_at: string }).played_at);
const eventId = (payload: unknown) => (payload as { event_id: string }).event_id;

describe('generatePlays', () => {
  const plays = generatePlays({ seed: 1, count: 10_000, from, to });

  it('returns exactly `count` items, mostly valid, with about the default fault rates', () => {
    expect(plays).toHaveLength(10_000);
    const share = (kind: string) => plays.filter((play) => play.kind === kind).length / plays.length;
    expect(share('duplicate')).toBeGreaterThan(0.012);
    expect(share('duplicate')).toBeLessThan(0.028);
    expect(share('invalid')).toBeGreaterThan(0.005);
    expect(share('invalid')).toBeLessThan(0.015);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(generatePlays({ seed: 1, count: 10_000, from, to })).toEqual(plays);
    const other = generatePlays({ seed: 2, count: 100, from, to });
    expect(other.map((play) => eventId(play.payload))).not.toEqual(
      plays.slice(0, 100).map((p) => eventId(p.payload)),
    );
  });

  it('makes valid events that pass validation and invalid events that fail it', () => {
    const wrong = plays.filter(
      (play) => validatePlayEvent(play.payload, context).ok === (play.kind === 'invalid'),
    );
    expect(wrong).toEqual([]);
  });

  it('covers every kind of invalid event, each failing on the field it breaks', () => {
    const faulty = generatePlays({ seed: 3, count: 2000, from, to, invalidRate: 0.5, duplicateRate: 0 });
    const invalid = faulty.filter((play) => play.kind === 'invalid');
    expect(new Set(invalid.map((play) => play.reason))).toEqual(new Set(invalidReasons));
    const field: Record<string, string | undefined> = {
      'unknown-region': 'region',
      'wrong-type': 'ms_played',
      'negative-ms-played': 'ms_played',
      'future-played-at': 'played_at',
      'too-old-played-at': 'played_at',
      'malformed-event-id': 'event_id',
    };
    for (const play of invalid) {
      const result = validatePlayEvent(play.payload, context);
      expect(result.ok).toBe(false);
      const expected = field[play.reason!];
      if (!result.ok && expected) expect(result.errors.map((error) => error.field)).toContain(expected);
    }
  });

  it('makes duplicates deep-equal to an earlier valid event', () => {
    const firstValid = new Map<string, { index: number; payload: unknown }>();
    let duplicates = 0;
    plays.forEach((play, index) => {
      const id = eventId(play.payload);
      if (play.kind === 'valid') {
        expect(firstValid.has(id)).toBe(false);
        firstValid.set(id, { index, payload: play.payload });
      }
      if (play.kind === 'duplicate') {
        duplicates += 1;
        const original = firstValid.get(id);
        expect(original).toBeDefined();
        expect(original!.index).toBeLessThan(index);
        expect(play.payload).toEqual(original!.payload);
        expect(play.payload).not.toBe(original!.payload);
      }
    });
    expect(duplicates).toBeGreaterThan(0);
  });

  it('re-delivers from far enough back to land in a later batch', () => {
    const index = new Map(
      plays.flatMap((play, i) => (play.kind === 'valid' ? [[eventId(play.payload), i] as const] : [])),
    );
    const gaps = plays.flatMap((play, i) =>
      play.kind === 'duplicate' ? [i - index.get(eventId(play.payload))!] : [],
    );
    expect(gaps.filter((gap) => gap >= 500).length).toBeGreaterThan(gaps.length * 0.9);
  });

  it('stamps valid events and duplicates within [from, to), in time order', () => {
    const stamped = plays.filter((play) => play.kind !== 'invalid').map((play) => ms(play.payload));
    for (const at of stamped) {
      expect(at).toBeGreaterThanOrEqual(from.getTime());
      expect(at).toBeLessThan(to.getTime());
    }
    const valid = plays.filter((play) => play.kind === 'valid').map((play) => ms(play.payload));
    expect(valid).toEqual([...valid].sort((a, b) => a - b));
  });

  it('lets a test compute the expected chart input independently', () => {
    const counted = plays.filter(
      (play) => play.kind === 'valid' && (play.payload as { ms_played: number }).ms_played >= 30_000,
    );
    const distinct = new Set(
      plays
        .filter(
          (play) => play.kind !== 'invalid' && (play.payload as { ms_played: number }).ms_played >= 30_000,
        )
        .map((play) => eventId(play.payload)),
    );
    expect(distinct.size).toBe(counted.length);
  });

  it('honours regions and rates of zero', () => {
    const clean = generatePlays({
      seed: 4,
      count: 1000,
      from,
      to,
      regions: ['us', 'gb'],
      duplicateRate: 0,
      invalidRate: 0,
      shortRate: 0,
    });
    expect(clean.every((play) => play.kind === 'valid')).toBe(true);
    const payloads = clean.map((play) => play.payload as { region: string; ms_played: number });
    expect(new Set(payloads.map((payload) => payload.region))).toEqual(new Set(['us', 'gb']));
    expect(payloads.every((payload) => payload.ms_played >= 30_000)).toBe(true);
  });

  it('rejects impossible options', () => {
    expect(() => generatePlays({ seed: 1, count: 10, from: to, to: from })).toThrow();
    expect(() => generatePlays({ seed: 1, count: -1, from, to })).toThrow();
    expect(() =>
      generatePlays({ seed: 1, count: 10, from, to, duplicateRate: 0.7, invalidRate: 0.7 }),
    ).toThrow();
  });
});
