/**
 * The charts API's answers kept in memory for a short while (CHARTS_API_LIVE_CACHE_MS), so that a chart asked
 * for thousands of times a second is read from PostgreSQL about once per that while (docs/decisions.md,
 * "Charts API cache"). An answer is read again once it is older than that, or as soon as this process wrote
 * charts or songs (the local runtime runs the chart jobs in the API's process); concurrent requests for an
 * answer being read share that one read.
 */

export interface AnswerCacheOptions {
  /** How long an answer is served from memory, counted from when its read began; 0 or less: not kept at all. */
  readonly ttlMs: number;
  /** At most this many answers are kept; the one read from the store longest ago goes first. */
  readonly maxEntries: number;
  /**
   * A number that changes whenever this process changed what the answers are read from (chart or song writes):
   * answers read before the change are read again.
   */
  readonly generation?: () => number;
  /** Milliseconds on a monotonic clock: elapsed time, not the business clock the tests may move or stop. */
  readonly now?: () => number;
}

interface Entry<T> {
  readonly generation: number;
  readonly readAt: number;
  readonly value: Promise<T>;
}

export class AnswerCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly generation: () => number;
  private readonly now: () => number;
  private readonly options: AnswerCacheOptions;

  constructor(options: AnswerCacheOptions) {
    this.options = options;
    this.generation = options.generation ?? (() => 0);
    this.now = options.now ?? (() => performance.now());
  }

  /** The answer kept under `key` while it is fresh; otherwise what `read` answers, kept from now on. */
  get(key: string, read: () => Promise<T>): Promise<T> {
    if (this.options.ttlMs <= 0) return read();
    const now = this.now();
    const generation = this.generation();
    const kept = this.entries.get(key);
    if (kept && kept.generation === generation && now - kept.readAt < this.options.ttlMs) return kept.value;
    const entry: Entry<T> = { generation, readAt: now, value: read() };
    this.entries.delete(key);
    this.entries.set(key, entry);
    // A failed read is not kept: the next request tries again (and gets its own 503 while the store is away).
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return entry.value;
  }

  /** How many answers are kept (fresh or not yet dropped). */
  get size(): number {
    return this.entries.size;
  }
}
