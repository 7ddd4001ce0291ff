/**
 * The catalog's genres, the values `GET /v1/charts?genre=` accepts (src/domain/song.ts on the server). The list
 * is the dashboard's own (the frontend imports nothing from src/), held to the API document's enum by a type
 * check in lib/api-contract.ts, so a genre added on one side only fails `tsc -p frontend`.
 */
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

export function isGenre(value: string | null | undefined): value is Genre {
  return (genres as readonly (string | null | undefined)[]).includes(value);
}

/** "hip-hop" → "Hip-hop", "r&b" → "R&B", "j-pop" → "J-pop": the genre as a label. */
export function genreLabel(genre: Genre): string {
  if (genre === 'r&b') return 'R&B';
  return genre.charAt(0).toUpperCase() + genre.slice(1);
}
