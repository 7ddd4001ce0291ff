import type pg from 'pg';
import type { RateLimiter, WindowCount } from '../../ports/rate-limiter.ts';
import { type BoundedQuery, boundedQuery } from './pool.ts';

/**
 * One request counted in its key's row; `$1` the key's id, `$2` the window's start, `$3` the request's time.
 * Its transaction's commit does not wait for the WAL to reach the disk (synchronous_commit off for this
 * transaction only, set by the statement itself): every request of a key updates this one row, each waiting for
 * the one before to commit, so a flush per request made the row the queue of every ingest request (docs/decisions.md,
 * "Rate limit: commits not waited for"). What that risks is confined to a PostgreSQL crash: the last fraction of a
 * second of counted requests may be forgotten, letting a key that many more requests in its window; the counts,
 * and the limit, stay exact across processes otherwise.
 */
export const COUNT_REQUEST = `
  INSERT INTO api_key_usage AS u (key_id, window_start, requests, last_used_at)
  SELECT k.id, $2, 1, $3
  FROM api_keys k CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS commit_not_awaited
  WHERE k.id = $1::bigint AND k.revoked_at IS NULL
  ON CONFLICT (key_id) DO UPDATE SET
    requests = CASE WHEN excluded.window_start > u.window_start THEN 1 ELSE u.requests + 1 END,
    window_start = greatest(u.window_start, excluded.window_start),
    last_used_at = greatest(u.last_used_at, excluded.last_used_at)
  RETURNING u.requests, u.window_start`;

/**
 * A fixed-window counter in PostgreSQL, one row per key, in one statement: the upsert locks the key's row,
 * so concurrent requests from any number of processes are counted one after the other, each seeing its own
 * count. A window older than the row's (a caller whose clock lags) counts in the row's newer window rather
 * than resetting it. Only keys in use are counted: a key revoked since the authorizer cached its answer
 * gets no row, hence undefined. Within `timeoutMs`; a database out of reach is a StoreUnavailableError.
 */
export class PostgresRateLimiter implements RateLimiter {
  private readonly query: BoundedQuery;

  constructor(pool: pg.Pool, timeoutMs: number) {
    this.query = boundedQuery(pool, timeoutMs);
  }

  async countRequest(keyId: string, windowStart: Date, at: Date): Promise<WindowCount | undefined> {
    const { rows } = await this.query<{ requests: number; window_start: Date }>(COUNT_REQUEST, [
      keyId,
      windowStart,
      at,
    ]);
    const row = rows[0];
    return row ? { requests: row.requests, windowStart: row.window_start } : undefined;
  }
}
