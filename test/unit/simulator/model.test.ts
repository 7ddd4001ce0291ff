import { describe, expect, it } from 'vitest';
import { createListenerPlayGenerator, type PlayPayload } from '../../../simulator/model.ts';
import { formatWithOffset, regionActivity } from '../../../simulator/world.ts';
import { generateCatalog } from '../../../src/adapters/catalog/seeded-catalog.ts';

const catalog = generateCatalog({ seed: 1 });
const day = Date.parse('2026-11-27T00:00:00Z');
/** `n` instants spread evenly over one UTC day. */
const times = (n: number, from = day, span = 86_400_000) =>
  Array.from({ length: n }, (_, i) => new Date(from + Math.floor((i * span) / n)));
const playsOf = (seed: number, n: number, options: { shortRate?: number } = {}) => [
  ...createListenerPlayGenerator({ seed, catalog, ...options }).plays(times(n)),
];
const countBy = <T>(items: readonly T[], key: (item: T) => string) => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
};
const topSongs = (plays: readonly PlayPayload[], n: number) =>
  [...countBy(plays, (play) => play.song_id).entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([song]) => song);

describe('createListenerPlayGenerator', () => {
  const plays = playsOf(1, 30_000);

  it('is deterministic for a seed and differs between seeds', () => {
    const first = playsOf(1, 500);
    expect(playsOf(1, 500)).toEqual(first);
    const other = playsOf(2, 500);
    expect(other.map((play) => play.song_id)).not.toEqual(first.map((play) => play.song_id));
    expect(other.map((play) => play.event_id)).not.toEqual(first.map((play) => play.event_id));
  });

  it('stamps each play at its timestamp and only uses known songs and regions', () => {
    const at = times(30_000);
    const songs = new Set(catalog.map((song) => song.song_id));
    expect(plays.filter((play, i) => Date.parse(play.played_at) !== at[i]!.getTime())).toEqual([]);
    expect(plays.filter((play) => !songs.has(play.song_id))).toEqual([]);
    expect(new Set(plays.map((play) => play.region))).toEqual(
      new Set(['us', 'gb', 'de', 'fr', 'br', 'mx', 'jp', 'in']),
    );
    expect(new Set(plays.map((play) => play.event_id)).size).toBe(plays.length);
  });

  it('makes a few songs far more popular than the median song (Zipf-like)', () => {
    const counts = [...countBy(plays, (play) => play.song_id).values()].sort((a, b) => b - a);
    const median = counts[Math.floor(catalog.length / 2)] ?? 0;
    const top10 = counts.slice(0, 10).reduce((a, b) => a + b, 0) / 10;
    expect(top10).toBeGreaterThan(20 * Math.max(1, median));
  });

  it('gives regions charts of their own', () => {
    const top = (region: string) =>
      topSongs(
        plays.filter((play) => play.region === region),
        10,
      );
    const shared = (a: string, b: string) => top(a).filter((song) => top(b).includes(song)).length;
    expect(shared('us', 'jp')).toBeLessThanOrEqual(6);
    expect(shared('br', 'de')).toBeLessThanOrEqual(6);
    expect(shared('in', 'gb')).toBeLessThanOrEqual(6);
  });

  it('plays about the configured share of short plays, the rest from 30 s to 6 min', () => {
    const short = plays.filter((play) => play.ms_played < 30_000);
    expect(short.length / plays.length).toBeGreaterThan(0.18);
    expect(short.length / plays.length).toBeLessThan(0.22);
    const outOfRange = plays.filter(
      (play) => !Number.isInteger(play.ms_played) || play.ms_played < 0 || play.ms_played > 360_000,
    );
    expect(outOfRange).toEqual([]);
    const half = playsOf(1, 5000, { shortRate: 0.5 }).filter((play) => play.ms_played < 30_000).length / 5000;
    expect(half).toBeGreaterThan(0.46);
    expect(half).toBeLessThan(0.54);
    expect(playsOf(1, 2000, { shortRate: 0 }).every((play) => play.ms_played >= 30_000)).toBe(true);
  });

  it('groups plays into sessions of one user, region and device', () => {
    const sessions = new Map<string, PlayPayload[]>();
    for (const play of plays) {
      expect(play.session_id).toBeDefined();
      sessions.set(play.session_id!, [...(sessions.get(play.session_id!) ?? []), play]);
    }
    expect(plays.length / sessions.size).toBeGreaterThan(3);
    for (const group of sessions.values()) {
      expect(new Set(group.map((play) => `${play.user_id}/${play.region}/${play.device}`)).size).toBe(1);
    }
    expect(new Set(plays.map((play) => play.device)).size).toBeGreaterThan(3);
  });

  it('follows a daily curve: a region plays more in its evening than at night', () => {
    const jp = (utcHour: number) =>
      [
        ...createListenerPlayGenerator({ seed: 1, catalog }).plays(
          times(4000, day + utcHour * 3_600_000, 3_600_000),
        ),
      ].filter((play) => play.region === 'jp').length;
    // Japan is UTC+9: 11:00 UTC is 20:00 there, 18:00 UTC is 03:00.
    expect(jp(11)).toBeGreaterThan(3 * jp(18));
    expect(regionActivity('us', new Date('2026-11-27T01:00:00Z'))).toBeGreaterThan(
      3 * regionActivity('us', new Date('2026-11-27T09:00:00Z')),
    );
  });

  it('uses only the regions it is given', () => {
    const generator = createListenerPlayGenerator({ seed: 1, catalog, regions: ['us', 'se'] });
    const regions = new Set([...generator.plays(times(2000))].map((play) => play.region));
    expect([...regions].sort()).toEqual(['se', 'us']);
  });
});

describe('formatWithOffset', () => {
  it('writes the same instant in a local offset', () => {
    const at = Date.parse('2026-11-27T10:00:00.000Z');
    expect(formatWithOffset(at, 330)).toBe('2026-11-27T15:30:00.000+05:30');
    expect(formatWithOffset(at, -360)).toBe('2026-11-27T04:00:00.000-06:00');
    expect(formatWithOffset(at, 0)).toBe('2026-11-27T10:00:00.000+00:00');
    expect(Date.parse(formatWithOffset(at, -180))).toBe(at);
  });
});
