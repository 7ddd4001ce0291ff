/**
 * A generated catalog shapes the simulated plays as the model described: the popularity hint ranks the songs
 * (Zipf weights by that rank), and a song is played more in its home regions than elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { generatePlays } from '../../../simulator/generate.ts';
import type { PlayPayload } from '../../../simulator/model.ts';
import type { Song } from '../../../src/domain/song.ts';

const song = (id: string, popularity: number, home_regions: string[]): Song => ({
  song_id: id,
  title: id,
  artist: `artist of ${id}`,
  genre: 'pop',
  language: 'en',
  release_year: 2020,
  duration_ms: 200_000,
  home_regions,
  popularity,
});

// 200 songs: one global hit, one song at home in jp only, the rest from 50 down to 1 and heard everywhere.
const catalog: Song[] = [
  ...Array.from({ length: 198 }, (_, i) => song(`song-${String(i).padStart(3, '0')}`, 50 - (i % 50), [])),
  song('global-hit', 100, []),
  song('jp-local', 90, ['jp']),
];
const plays = generatePlays({
  seed: 11,
  count: 40_000,
  from: new Date('2026-05-01T00:00:00Z'),
  to: new Date('2026-05-02T00:00:00Z'),
  regions: ['us', 'jp'],
  duplicateRate: 0,
  invalidRate: 0,
  catalog,
}).map((item) => item.payload as PlayPayload);

const share = (id: string, region: string) => {
  const inRegion = plays.filter((play) => play.region === region);
  return inRegion.filter((play) => play.song_id === id).length / inRegion.length;
};
const playsOf = (ids: ReadonlySet<string>) => plays.filter((play) => ids.has(play.song_id)).length;

describe('plays of a generated catalog', () => {
  it('rank songs by their popularity hint', () => {
    const counts = new Map<string, number>();
    for (const play of plays) counts.set(play.song_id, (counts.get(play.song_id) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    expect(top).toBe('global-hit');
    const hinted = (predicate: (popularity: number) => boolean) =>
      new Set(catalog.filter((entry) => predicate(entry.popularity!)).map((entry) => entry.song_id));
    // The 8 songs hinted 46–50 outplay the 40 hinted 1–10 together.
    expect(playsOf(hinted((p) => p >= 46 && p <= 50))).toBeGreaterThan(playsOf(hinted((p) => p <= 10)));
  });

  it('play a song far more in its home region than elsewhere', () => {
    expect(share('jp-local', 'jp')).toBeGreaterThan(4 * share('jp-local', 'us'));
    // A song at home everywhere is played alike in both regions.
    const ratio = share('global-hit', 'jp') / share('global-hit', 'us');
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
  });

  it('last as long as the catalog says', () => {
    const full = plays.filter((play) => play.ms_played >= 30_000);
    expect(Math.max(...full.map((play) => play.ms_played))).toBe(200_000);
  });
});
