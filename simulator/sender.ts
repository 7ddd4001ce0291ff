/**
 * Posts plays to the ingest API in batches, a few requests at a time, with its API key. Retries only what
 * was not processed (429 over the key's rate, 503 and gateway errors, network errors), after the server's
 * Retry-After when it gives one, and never a batch the server answered with 2xx or another 4xx: re-sending
 * those would only produce duplicates or the same rejection. A refused key (401, 403) fails the batch.
 */

export interface SenderOptions {
  /** Base URL of the API, e.g. http://localhost:3000 (a path prefix such as /prod is kept). */
  url: string;
  /** Sent as `Authorization: Bearer <key>`; POST /v1/plays refuses requests without a valid one. */
  apiKey?: string;
  batchSize?: number;
  concurrency?: number;
  /** Attempts per batch, the first one included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  requestTimeoutMs?: number;
  /** Aborting stops everything at once: queued and in-flight batches count as `unsent`. */
  signal?: AbortSignal;
}

export interface SenderStats {
  /** Events in batches the server answered (2xx or 4xx). */
  sent: number;
  accepted: number;
  rejected: number;
  /** Requests repeated after a 503, a gateway error or a network error. */
  retried: number;
  /** Events in batches given up on (retries exhausted, or an unexpected status). */
  failed: number;
  /** Events never answered because the sender was aborted. */
  unsent: number;
  batches: number;
  failedBatches: number;
  /** Batches refused for the API key (401 without one, 403 for a key not in use): none will get through. */
  refusedBatches: number;
  inFlight: number;
  /** Rejections by field, from the server's per-event errors, e.g. `{ region: 3 }`. */
  rejectedByField: Record<string, number>;
  lastError: string | undefined;
  elapsedMs: number;
  /** Events answered per second since the sender was created. */
  eventsPerSecond: number;
}

export interface Sender {
  /** Queues an event; resolves once there is room, so a producer awaiting it is held back. */
  push(event: unknown): Promise<void>;
  /** Sends the partial batch now (waiting for a free slot). */
  flush(): Promise<void>;
  /** Sends the partial batch and waits until every batch is answered or given up. */
  drain(): Promise<void>;
  stats(): SenderStats;
}

export const DEFAULT_BATCH_SIZE = 100;
export const MAX_BATCH_SIZE = 500;
const MAX_RETRY_AFTER_MS = 60_000;
const retryableStatuses = new Set([429, 502, 503, 504]);
const refusedStatuses = new Set([401, 403]);

export function createSender(options: SenderOptions): Sender {
  const endpoint = `${options.url.replace(/\/+$/, '')}/v1/plays`;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new Error(`batchSize must be an integer from 1 to ${MAX_BATCH_SIZE}, got ${batchSize}`);
  }
  const concurrency = options.concurrency ?? 4;
  const maxAttempts = options.maxAttempts ?? 6;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 15_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const signal = options.signal;
  const startedAt = performance.now();

  const counters = {
    sent: 0,
    accepted: 0,
    rejected: 0,
    retried: 0,
    failed: 0,
    unsent: 0,
    batches: 0,
    failedBatches: 0,
    refusedBatches: 0,
  };
  const rejectedByField: Record<string, number> = {};
  let lastError: string | undefined;
  let pending: unknown[] = [];
  const inFlight = new Set<Promise<void>>();

  const fail = (events: number, message: string): void => {
    counters.failed += events;
    counters.failedBatches += 1;
    lastError = message;
  };

  const countRejections = (body: unknown): number => {
    const rejected = (body as { rejected?: unknown } | null)?.rejected;
    if (!Array.isArray(rejected)) return 0;
    for (const item of rejected) {
      const errors = (item as { errors?: unknown } | null)?.errors;
      const fields = Array.isArray(errors) ? errors.map((error) => String(error?.field ?? '(unknown)')) : [];
      for (const field of new Set(fields.length > 0 ? fields : ['(unknown)'])) {
        rejectedByField[field] = (rejectedByField[field] ?? 0) + 1;
      }
    }
    return rejected.length;
  };

  const answered = (events: number, status: number, body: unknown): void => {
    counters.sent += events;
    counters.batches += 1;
    if (status >= 200 && status < 300) {
      const rejected = countRejections(body);
      const accepted = (body as { accepted?: unknown } | null)?.accepted;
      counters.rejected += rejected;
      counters.accepted += typeof accepted === 'number' ? accepted : events - rejected;
      return;
    }
    // A 4xx rejects the whole batch; its body may still say why.
    counters.rejected += events;
    if (countRejections(body) === 0)
      rejectedByField[`HTTP ${status}`] = (rejectedByField[`HTTP ${status}`] ?? 0) + events;
    const message =
      (body as { message?: unknown; error?: unknown } | null)?.message ??
      (body as { error?: unknown })?.error;
    lastError = `HTTP ${status}${typeof message === 'string' ? `: ${message}` : ''}`;
  };

  const sendBatch = async (events: unknown[]): Promise<void> => {
    const body = JSON.stringify({ events });
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) {
        counters.unsent += events.length;
        return;
      }
      let delayMs: number;
      try {
        const timeout = AbortSignal.timeout(requestTimeoutMs);
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
          },
          body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        const text = await response.text();
        if (refusedStatuses.has(response.status)) {
          counters.refusedBatches += 1;
          fail(events.length, `HTTP ${response.status}: the API refused the key (${text.slice(0, 200)})`);
          return;
        }
        if (response.status < 500 && !retryableStatuses.has(response.status)) {
          answered(events.length, response.status, parseJson(text));
          return;
        }
        if (!retryableStatuses.has(response.status)) {
          fail(events.length, `HTTP ${response.status}: ${text.slice(0, 200)}`);
          return;
        }
        lastError = `HTTP ${response.status}`;
        delayMs =
          retryAfterMs(response.headers.get('retry-after')) ?? backoffMs(attempt, baseDelayMs, maxDelayMs);
      } catch (error) {
        if (signal?.aborted) {
          counters.unsent += events.length;
          return;
        }
        lastError = describeError(error);
        delayMs = backoffMs(attempt, baseDelayMs, maxDelayMs);
      }
      if (attempt >= maxAttempts) {
        fail(events.length, `gave up after ${attempt} attempts: ${lastError}`);
        return;
      }
      counters.retried += 1;
      await sleep(delayMs, signal);
    }
  };

  const dispatch = async (events: unknown[]): Promise<void> => {
    if (events.length === 0) return;
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const tracked: Promise<void> = sendBatch(events).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  const takeBatch = (): unknown[] => {
    const batch = pending;
    pending = [];
    return batch;
  };

  return {
    async push(event) {
      if (signal?.aborted) {
        counters.unsent += 1;
        return;
      }
      pending.push(event);
      if (pending.length >= batchSize) await dispatch(takeBatch());
    },
    flush: () => dispatch(takeBatch()),
    async drain() {
      await dispatch(takeBatch());
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    stats() {
      const elapsedMs = performance.now() - startedAt;
      return {
        ...counters,
        inFlight: inFlight.size,
        rejectedByField: { ...rejectedByField },
        lastError,
        elapsedMs,
        eventsPerSecond: elapsedMs > 0 ? counters.sent / (elapsedMs / 1000) : 0,
      };
    },
  };
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (Number.isNaN(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/** Exponential backoff with full jitter, so many clients don't retry in lockstep. */
function backoffMs(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  // fetch reports "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND…) is in the cause.
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (error.name === 'TimeoutError') return 'request timed out';
  if (typeof code === 'string') return `${error.message} (${code})`;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
