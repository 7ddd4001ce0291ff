/** Song master data, as the catalog in the lake holds it. */
export interface Song {
  readonly song_id: string;
  readonly title: string;
  readonly artist: string;
  readonly genre: string;
}
