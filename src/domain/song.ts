import { createHash } from 'node:crypto';

/**
 * Song master data, as the catalog in the lake holds it. The first four fields are always there; the rest
 * came with the generated catalog (docs/contracts.md, "The catalog") and are null where a catalog does not
 * say (a catalog written before them, or the seeded one, which has no home regions nor popularity).
 */
export interface Song {
  readonly song_id: string;
  readonly title: string;
  readonly artist: string;
  readonly genre: string;
  /** ISO 639-1 code of the lyrics' main language (`en`, `es`…); `zxx` for instrumentals. */
  readonly language?: string | null;
  readonly release_year?: number | null;
  readonly duration_ms?: number | null;
  /**
   * Regions where the song is mostly heard (region codes); empty: heard everywhere alike; null: unknown.
   * The simulator weights a song up in its home regions.
   */
  readonly home_regions?: readonly string[] | null;
  /** How popular the song is, 1 (obscure) to 100 (a global hit): a hint that ranks songs in the simulator. */
  readonly popularity?: number | null;
}

/** The genres of every catalog: the seeded generator draws from them, and the model must pick one of them. */
export const genres = [
  'pop',
  'hip-hop',
  'rock',
  'electronic',
  'r&b',
  'indie',
  'country',
  'metal',
  'reggaeton',
  'sertanejo',
  'j-pop',
  'bollywood',
] as const;
export type Genre = (typeof genres)[number];

/**
 * The identity of a song for deduplication: title and artist, case-, accent-, punctuation- and
 * space-insensitive, so "Don't Stop Me Now" by "Queen" and "dont stop me now " by "QUEEN" are one song.
 */
export function songKey(title: string, artist: string): string {
  const normalize = (text: string) =>
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/&/g, ' and ')
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  return `${normalize(title)}\u0000${normalize(artist)}`;
}

/**
 * The id of a generated song, derived from its identity (songKey): the same song keeps its id in every
 * catalog version, so plays and charts keep pointing at it when the catalog is generated again.
 */
export function songIdFor(key: string): string {
  return `song-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}
