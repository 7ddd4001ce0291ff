import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { PostgresChartStore } from '../../../src/adapters/postgres/chart-store.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../../src/adapters/postgres/embedded.ts';
import { migrate } from '../../../src/adapters/postgres/migrate.ts';
import { resilientPool } from '../../../src/adapters/postgres/pool.ts';
import { type TempDir, tempDir } from './temp.ts';

/**
 * A real PostgreSQL of the calling test file's own: started before its tests, stopped and deleted after
 * them (after the file's own afterAll hooks, which vitest runs first). Returns the server's URL, once started.
 */
export function postgresForThisFile(name: string): () => string {
  let dir: TempDir | undefined;
  let database: EmbeddedDatabase | undefined;
  beforeAll(async () => {
    dir = await tempDir(`${name}-pg`);
    database = await startEmbeddedPostgres(dir.path);
  });
  afterAll(async () => {
    await database?.stop();
    await dir?.remove();
  });
  return () => {
    if (!database) throw new Error('the database starts in beforeAll');
    return database.url;
  };
}

/**
 * The chart store on a migrated PostgreSQL of the calling test file's own (see postgresForThisFile), with its
 * pool, for tests that also query the tables; both exist once the file's beforeAll hooks have run.
 */
export function chartStoreForThisFile(name: string) {
  const url = postgresForThisFile(name);
  let pool: pg.Pool | undefined;
  let store: PostgresChartStore | undefined;
  beforeAll(async () => {
    pool = resilientPool({ connectionString: url(), max: 8 }, () => {});
    const client = await pool.connect();
    try {
      await migrate(client);
    } finally {
      client.release();
    }
    store = new PostgresChartStore(pool, 5_000);
  });
  afterAll(async () => {
    await pool?.end();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the chart store starts in beforeAll');
    return value;
  };
  return { url, pool: () => started(pool), store: () => started(store) };
}
