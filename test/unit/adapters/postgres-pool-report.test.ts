/**
 * The pool diagnostic (TOP_SONGS_POOL_REPORT_SECONDS) on a real PostgreSQL: each checkout named by the method
 * that asked for it, counted, with its wait and hold, and the pool's occupancy.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../devkit/wait-for.ts';
import { onConnection, resilientPool } from '../../../src/adapters/postgres/pool.ts';
import { callerOf, POOL_REPORT_PREFIX, watchPool } from '../../../src/adapters/postgres/pool-report.ts';
import { postgresForThisFile } from '../support/postgres.ts';

const url = postgresForThisFile('pool-report');
let pool: pg.Pool;
beforeAll(() => {
  pool = resilientPool({ connectionString: url(), max: 2 }, () => {});
});
afterAll(async () => {
  await pool?.end();
});

const HOLD_MS = 1_500;

class SlowStore {
  /** Holds its connection for at least `ms` (pg_sleep on the server). */
  hold(ms: number) {
    return onConnection(pool, 10_000, (client) => client.query('SELECT pg_sleep($1)', [ms / 1000]));
  }
}

interface Report {
  in_use_max: number;
  waiting_max: number;
  checkouts: Record<string, { n: number; wait_max: number; hold_max: number }>;
}

describe('the pool report', () => {
  it('names each checkout by its caller and says how long it waited for and held its connection', async () => {
    const lines: string[] = [];
    const stop = watchPool(pool, 0.2, (line) => lines.push(line));
    try {
      const store = new SlowStore();
      // Three callers on a pool of two: the third waits for one of the first two to finish. Holds of 1.5 s, so
      // that the first two overlap even when a loaded machine is slow to open the second connection.
      await Promise.all([store.hold(HOLD_MS), store.hold(HOLD_MS), store.hold(HOLD_MS)]);
      const report = await waitFor('a report of the three checkouts', async () => {
        const reports = lines.map((line) => JSON.parse(line.slice(POOL_REPORT_PREFIX.length)) as Report);
        const all = reports.flatMap((r) => (r.checkouts['SlowStore.hold'] ? [r] : []));
        return all.reduce((n, r) => n + r.checkouts['SlowStore.hold']!.n, 0) === 3 ? all : undefined;
      });
      expect(lines.every((line) => line.startsWith(POOL_REPORT_PREFIX) && line.endsWith('\n'))).toBe(true);
      expect(Math.max(...report.map((r) => r.checkouts['SlowStore.hold']!.hold_max))).toBeGreaterThanOrEqual(
        HOLD_MS - 10,
      );
      expect(Math.max(...report.map((r) => r.checkouts['SlowStore.hold']!.wait_max))).toBeGreaterThanOrEqual(
        HOLD_MS / 2,
      );
      expect(Math.max(...report.map((r) => r.in_use_max))).toBe(2);
    } finally {
      stop();
    }
  });

  it('names a caller from a stack, past the pool plumbing', () => {
    const stack = [
      'Error',
      '    at Object.checkout (file:///x/src/adapters/postgres/pool-report.ts:50:21)',
      '    at onConnection (file:///x/src/adapters/postgres/pool.ts:44:40)',
      '    at file:///x/src/adapters/postgres/pool.ts:90:26',
      '    at PostgresRateLimiter.countRequest (file:///x/src/adapters/postgres/rate-limiter.ts:23:5)',
      '    at admitApiCaller (file:///x/src/use-cases/admit-api-caller.ts:44:5)',
    ].join('\n');
    expect(callerOf(stack)).toBe('PostgresRateLimiter.countRequest');
    expect(callerOf('Error\n    at file:///x/src/use-cases/chart.ts:12:3')).toBe('chart.ts:12:3');
    expect(callerOf(undefined)).toBe('unknown');
  });
});
