import { describe, expect, it } from 'vitest';
import { generateCatalog, genres } from '../../../src/adapters/catalog/seeded-catalog.ts';

describe('generateCatalog', () => {
  const catalog = generateCatalog({ seed: 1 });

  it('has 3000 songs by default with sortable, unique, zero-padded ids', () => {
    expect(catalog).toHaveLength(3000);
    expect(catalog[0]!.song_id).toBe('song-000001');
    expect(catalog.at(-1)!.song_id).toBe('song-003000');
    const ids = catalog.map((song) => song.song_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('gives every song a title, an artist and one of about a dozen genres', () => {
    for (const song of catalog) {
      expect(Object.keys(song).sort()).toEqual([
        'artist',
        'duration_ms',
        'genre',
        'home_regions',
        'language',
        'popularity',
        'release_year',
        'song_id',
        'title',
      ]);
      // No home regions nor popularity: the simulator's seeded tastes decide those for a seeded catalog.
      expect([song.home_regions, song.popularity]).toEqual([null, null]);
      expect(song.duration_ms).toBeGreaterThanOrEqual(120_000);
      expect(song.duration_ms).toBeLessThan(330_000);
      expect(song.release_year).toBeGreaterThanOrEqual(1966);
      expect(song.release_year).toBeLessThanOrEqual(2025);
      expect(song.language).toBe(
        ({ reggaeton: 'es', sertanejo: 'pt', 'j-pop': 'ja', bollywood: 'hi' } as Record<string, string>)[
          song.genre
        ] ?? 'en',
      );
      expect(song.title.trim()).not.toBe('');
      expect(song.artist.trim()).not.toBe('');
      expect(genres).toContain(song.genre);
    }
    expect(new Set(catalog.map((song) => song.genre)).size).toBe(genres.length);
    expect(genres.length).toBeGreaterThanOrEqual(10);
  });

  it('has artists with several songs', () => {
    const perArtist = new Map<string, number>();
    for (const song of catalog) perArtist.set(song.artist, (perArtist.get(song.artist) ?? 0) + 1);
    expect(perArtist.size).toBeGreaterThan(100);
    expect(perArtist.size).toBeLessThan(catalog.length / 2);
    expect(Math.max(...perArtist.values())).toBeGreaterThan(10);
    // Titles are unique per artist.
    const keys = catalog.map((song) => `${song.artist}\u0000${song.title}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateCatalog({ seed: 1 })).toEqual(catalog);
    const other = generateCatalog({ seed: 2 });
    expect(other.map((song) => song.title)).not.toEqual(catalog.map((song) => song.title));
    expect(other.map((song) => song.song_id)).toEqual(catalog.map((song) => song.song_id));
  });

  it('takes a size', () => {
    expect(generateCatalog({ seed: 1, songs: 10 }).map((song) => song.song_id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `song-${String(i + 1).padStart(6, '0')}`),
    );
    expect(() => generateCatalog({ seed: 1, songs: 0 })).toThrow();
  });
});
