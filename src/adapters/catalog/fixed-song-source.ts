import type { Song } from '../../domain/song.ts';
import type { SongSource } from '../../ports/song-source.ts';

/** Exactly these songs, labelled seeded without a seed: a catalog given as a list (tests, screenshots). */
export function fixedSongs(songs: readonly Song[]): SongSource {
  return { source: 'seeded', model: null, seed: null, songs: async () => [...songs] };
}
