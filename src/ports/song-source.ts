import type { CatalogSource } from '../domain/catalog.ts';
import type { Song } from '../domain/song.ts';

/** How far a generation has come, for a progress line. */
export interface SongSourceProgress {
  readonly batchesDone: number;
  /** Batches planned so far; more are asked for when duplicates leave the catalog short. */
  readonly batchesPlanned: number;
  /** Distinct songs kept so far. */
  readonly songs: number;
  /** Songs dropped because an earlier batch had them (same title and artist, normalized). */
  readonly duplicates: number;
  /** Answers refused as malformed (not JSON, or not the schema); their batch was asked again. */
  readonly refused: number;
  /** Why the last answer was refused. */
  readonly lastRefusal: string | undefined;
  /** Responses the model server answered 429 or 5xx (the client waited and retried them). */
  readonly throttled: number;
}

export interface SongRequest {
  readonly count: number;
  /** The region codes a song's home regions are chosen from. */
  readonly regions: readonly string[];
  readonly onProgress?: (progress: SongSourceProgress) => void;
}

/** Where songs come from: a chat model, or the seeded word lists. */
export interface SongSource {
  readonly source: CatalogSource;
  /** The chat model asked, for `openai`. */
  readonly model: string | null;
  /** The seed, for `seeded`. */
  readonly seed: number | null;
  /** Up to `count` distinct songs (by songKey), each with its song_id. */
  songs(request: SongRequest): Promise<Song[]>;
}
