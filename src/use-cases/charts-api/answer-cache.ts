/**
 * The charts API's answers kept in memory (docs/decisions.md, "Charts API answer cache"), so that a chart asked
 * for thousands of times a second is not read and serialized for each request. An answer read from the chart
 * store is served only while the store's revision has not moved since its read began, which every request checks
 * with a revision read begun at most CHARTS_API_REVISION_MAX_AGE_MS before it arrived (one small query shared by
 * the requests of that span): a chart written by any process, a restatement included, is served from the first
 * request that arrives that long after its commit. 0 makes it every request's own read (one query per request
 * under load: a PostgreSQL round trip in every answer's latency, which is what the bound saves). A final chart asked for by its window is kept until then; every other answer also for at most
 * CHARTS_API_LIVE_CACHE_MS, since it moves with the clock (the live tallies, the window that is the latest).
 * Concurrent requests for an answer being read share that read.
 */

export interface AnswerCacheOptions {
  /** How long an answer is served from memory, counted from when its read began; 0 or less: not kept at all. */
  readonly ttlMs: number;
  /** At most this many answers are kept; the one read from the store longest ago goes first. */
  readonly maxEntries: number;
  /** The chart store's revision (ChartStore.revision): it changes with every committed write of charts or songs. */
  readonly revision: () => Promise<string>;
  /** A revision read begun at most this long before a request arrived answers for it; 0: one begun after. */
  readonly revisionMaxAgeMs?: number;
  /** Milliseconds on a monotonic clock: elapsed time, not the business clock the tests may move or stop. */
  readonly now?: () => number;
}

/** What a read answered, and how long it may be served. */
export interface ReadAnswer<T> {
  readonly value: T;
  /**
   * `lasting`: read from the store alone, kept until its revision moves; `store`: read from the store and moving
   * with the clock (the latest window, the live tallies), kept until either.
   */
  readonly kept: 'lasting' | 'store';
}

interface Entry<T> {
  /** The store's revision, read before the answer was. */
  readonly revision: Promise<string>;
  readonly readAt: number;
  readonly answer: Promise<ReadAnswer<T>>;
}

export class AnswerCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly revisions: FreshRead<string>;
  private readonly now: () => number;
  private readonly options: AnswerCacheOptions;

  constructor(options: AnswerCacheOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
    this.revisions = new FreshRead(options.revision, {
      maxAgeMs: options.revisionMaxAgeMs ?? 0,
      now: this.now,
    });
  }

  /** The answer kept under `key` while it may be served; otherwise what `read` answers, kept from now on. */
  async get(key: string, read: () => Promise<ReadAnswer<T>>): Promise<T> {
    if (this.options.ttlMs <= 0) return (await read()).value;
    const arrived = this.now();
    // The revision this request's answer must be as new as: read once, when needed, begun no earlier than
    // revisionMaxAgeMs before it arrived.
    let current: Promise<string> | undefined;
    const revisionNow = () => {
      current ??= this.revisions.get();
      return current;
    };
    let entry = this.entries.get(key);
    // The kept answer, then one a concurrent request began meanwhile, then one of this request's own (which
    // always serves: it began after the revision read and after the request arrived).
    for (let tries = 0; ; tries++) {
      if (entry === undefined || tries === 2) entry = this.begin(key, read, revisionNow());
      const answer = await entry.answer;
      if (await this.serves(entry, answer.kept, arrived, revisionNow)) return answer.value;
      const latest = this.entries.get(key);
      entry = latest === entry ? undefined : latest;
    }
  }

  /** A write of this process committed: the next request reads the revision anew, whatever revisionMaxAgeMs. */
  revisionMoved(): void {
    this.revisions.forget();
  }

  /** How many answers are kept (current or not yet dropped). */
  get size(): number {
    return this.entries.size;
  }

  private async serves(
    entry: Entry<T>,
    kept: ReadAnswer<T>['kept'],
    arrived: number,
    revisionNow: () => Promise<string>,
  ): Promise<boolean> {
    if (kept !== 'lasting' && arrived - entry.readAt >= this.options.ttlMs) return false;
    return (await entry.revision) === (await revisionNow());
  }

  private begin(key: string, read: () => Promise<ReadAnswer<T>>, revision: Promise<string>): Entry<T> {
    // The revision first, then the answer: an answer read after the revision is at least as new as it.
    const entry: Entry<T> = { revision, readAt: this.now(), answer: revision.then(read) };
    this.entries.delete(key);
    this.entries.set(key, entry);
    // A failed read is not kept: the next request tries again (and gets its own 503 while the store is away).
    entry.answer.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return entry;
  }
}

/**
 * Reads of a value, each begun at most `maxAgeMs` before the call that asked for it (0: after it). A read that
 * recent answers every call; otherwise calls that arrive while a read is under way share the next one, so at most
 * two are in flight however many ask.
 */
export class FreshRead<V> {
  private current: Promise<V> | undefined;
  private queued: Promise<V> | undefined;
  private latest: { readonly began: number; readonly value: Promise<V> } | undefined;
  private readonly read: () => Promise<V>;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(read: () => Promise<V>, options: { maxAgeMs?: number; now?: () => number } = {}) {
    this.read = read;
    this.maxAgeMs = options.maxAgeMs ?? 0;
    this.now = options.now ?? (() => performance.now());
  }

  /** The value may have changed: no read begun so far answers a later call. */
  forget(): void {
    this.latest = undefined;
    this.current = undefined;
    this.queued = undefined;
  }

  get(): Promise<V> {
    if (this.latest && this.now() - this.latest.began < this.maxAgeMs) return this.latest.value;
    if (this.current === undefined) return this.begin();
    this.queued ??= this.current
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.queued = undefined;
        return this.begin();
      });
    return this.queued;
  }

  private begin(): Promise<V> {
    const reading = this.read();
    this.current = reading;
    const latest = { began: this.now(), value: reading };
    this.latest = latest;
    const end = () => {
      if (this.current === reading) this.current = undefined;
    };
    reading.then(end, () => {
      end();
      // A failed read answers no later call.
      if (this.latest === latest) this.latest = undefined;
    });
    return reading;
  }
}
