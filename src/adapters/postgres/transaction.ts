import type pg from 'pg';
import { type BoundedQuery, boundedQuery, onConnection } from './pool.ts';

/** One snapshot for every query of a read, so a replacement committing in between cannot mix old and new rows. */
export const READ_SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/**
 * How the chart store reaches PostgreSQL: every operation on one connection within `timeoutMs`, failing with a
 * StoreUnavailableError when the database is out of reach (onConnection, src/adapters/postgres/pool.ts).
 */
export interface BoundedDatabase {
  readonly query: BoundedQuery;
  /**
   * Runs `work` in a transaction: committed if it returns; if it throws, the connection is closed (by
   * onConnection) and the server rolls the transaction back.
   */
  inTransaction<T>(begin: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
}

export function boundedDatabase(pool: pg.Pool, timeoutMs: number): BoundedDatabase {
  return {
    query: boundedQuery(pool, timeoutMs),
    inTransaction: (begin, work) =>
      onConnection(pool, timeoutMs, async (client) => {
        await client.query(begin);
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      }),
  };
}
