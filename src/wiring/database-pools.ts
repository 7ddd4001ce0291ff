/**
 * The PostgreSQL pools of a process: one per function, as in AWS Lambda, where each function has its own
 * execution environments and so its own pool. A Lambda process runs one function: one pool. The local runtime
 * runs every function in one process; sharing one pool there let one function's work (the live chart's
 * transaction, a chart job's replacement, the charts API's reads) hold the connections ingest's requests then
 * waited for (docs/benchmarks.md, "Freshness: what starved the pool"). The runtime says which function is
 * running with `runAsFunction`; work outside any function (the runtime's own start) has a pool of its own too.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import { migrate } from '../adapters/postgres/migrate.ts';
import { onConnection, resilientPool } from '../adapters/postgres/pool.ts';
import { watchPool } from '../adapters/postgres/pool-report.ts';
import type { Settings } from '../config/settings.ts';
import { databaseConfig } from './connections.ts';
import { logger } from './logger.ts';

const runningFunction = new AsyncLocalStorage<string>();

/** Runs `work` (an invocation, and everything it awaits) as the function `name`: it uses that function's pool. */
export const runAsFunction = <T>(name: string, work: () => T): T => runningFunction.run(name, work);

/** The pool of the function running (runAsFunction), or of the process outside any function. */
export const poolScope = (): string => runningFunction.getStore() ?? PROCESS_SCOPE;

export const PROCESS_SCOPE = 'process';

/** Connections per pool: a Lambda execution environment serves one invocation at a time, so it rarely needs two. */
const POOL_SIZE = 5;

/**
 * Opens a pool on first use: connecting and each statement bounded by `timeoutMs` too, so that nothing lingers
 * after an operation gave up (onConnection bounds the whole operation). The schema is migrated once per process,
 * before the first pool is handed out; an unreachable database fails the opening as it fails any operation
 * (StoreUnavailableError), and the next caller tries again.
 */
export function databasePools(settings: Settings, timeoutMs: number) {
  const opened: pg.Pool[] = [];
  const reports: (() => void)[] = [];
  let migrated: Promise<void> | undefined;
  const open = async (scope: string): Promise<pg.Pool> => {
    const config: pg.PoolConfig = {
      ...(await databaseConfig(settings)),
      max: POOL_SIZE,
      connectionTimeoutMillis: timeoutMs,
      statement_timeout: timeoutMs,
      application_name: `top-songs ${scope}`,
    };
    // pg attaches the whole client to the error: log what says why, not the connection's internals.
    const pool = resilientPool(config, (error) =>
      logger.warn('database connection lost; it will be reopened', {
        reason: error.message,
        code: error.code,
        pool: scope,
      }),
    );
    try {
      migrated ??= onConnection(pool, timeoutMs, migrate);
      await migrated;
    } catch (error) {
      migrated = undefined;
      await pool.end().catch(() => {});
      throw error;
    }
    opened.push(pool);
    if (settings.poolReportSeconds) {
      const write = (line: string) => process.stderr.write(line);
      reports.push(watchPool(pool, settings.poolReportSeconds, write, scope));
    }
    return pool;
  };
  return {
    open,
    close: async () => {
      for (const stop of reports) stop();
      await Promise.all(opened.map((pool) => pool.end()));
    },
  };
}
