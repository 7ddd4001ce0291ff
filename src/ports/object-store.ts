/** One object of a listing: enough to tell whether it changed since an earlier listing. */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  /**
   * Changes whenever the object is written again: S3's ETag; for a folder, the file's modification time (in
   * nanoseconds) and inode, which a replacing rename changes even when the bytes are the same.
   */
  readonly etag: string;
}

/** The data lake's storage: a local folder or an S3 bucket, behind one interface. Keys use `/`. */
export interface ObjectStore {
  /** Writes the whole object; a second write to the same key replaces it. */
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** The object's bytes, or `undefined` when there is no such key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Removes the object; a key that is not there is no error. */
  delete(key: string): Promise<void>;
  /** Every key under the prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Every object under the prefix with its size and etag, sorted by key. */
  listObjects(prefix: string): Promise<StoredObject[]>;
  /**
   * Local file paths holding these objects, for engines that read files (DuckDB).
   * A folder store returns its own paths; a remote store downloads into `scratchDir`.
   */
  localCopies(keys: readonly string[], scratchDir: string): Promise<string[]>;
  /** A human-readable location, for logs and messages. */
  describe(): string;
}
