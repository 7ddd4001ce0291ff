import type { Song } from '../../domain/song.ts';
import type { SongRequest, SongSource } from '../../ports/song-source.ts';
import { generateCatalog } from './seeded-catalog.ts';

/**
 * The seeded word-list catalog (seeded-catalog.ts): offline, instant and the same for a seed, so the
 * simulator's plays of that seed are too. The fallback when no chat model is configured.
 */
export class SeededSongSource implements SongSource {
  readonly source = 'seeded';
  readonly model = null;
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed;
  }

  async songs(request: SongRequest): Promise<Song[]> {
    const songs = generateCatalog({ seed: this.seed, songs: request.count });
    request.onProgress?.({
      batchesDone: 1,
      batchesPlanned: 1,
      songs: songs.length,
      duplicates: 0,
      refused: 0,
      lastRefusal: undefined,
      throttled: 0,
    });
    return songs;
  }
}
