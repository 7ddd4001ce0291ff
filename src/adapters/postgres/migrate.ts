import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import Postgrator from 'postgrator';

/** The SQL migrations, relative to the project root; deployed bundles carry them as ./migrations. */
export const MIGRATIONS_DIR = 'src/adapters/postgres/migrations';

// Beside this module in the source tree, beside the bundle (index.mjs) in a deployed function.
const migrationsPattern = fileURLToPath(new URL('./migrations/*.sql', import.meta.url));

/**
 * Brings the schema to the newest version (or to `target`, for tests of a migration); safe to run from several
 * processes at once.
 */
export async function migrate(client: pg.Client, target?: string): Promise<void> {
  const postgrator = postgratorOn(client);
  // Postgrator would report success having found nothing: a bundle without its SQL files must fail loudly.
  if ((await postgrator.getMigrations()).length === 0) {
    throw new Error(`No schema migrations found at ${migrationsPattern}`);
  }
  // Postgrator runs each migration in its own transaction; the advisory lock serialises processes.
  await client.query('SELECT pg_advisory_lock(727274)');
  try {
    await postgrator.migrate(target);
  } finally {
    await client.query('SELECT pg_advisory_unlock(727274)');
  }
}

/**
 * The schema's version in the database (0: never migrated) and the newest migration this code has: the database
 * is current when they are equal. Reads only.
 */
export async function schemaVersions(client: pg.Client): Promise<{ applied: number; latest: number }> {
  const postgrator = postgratorOn(client);
  return { applied: await postgrator.getDatabaseVersion(), latest: await postgrator.getMaxVersion() };
}

const postgratorOn = (client: pg.Client) =>
  new Postgrator({
    migrationPattern: migrationsPattern,
    driver: 'pg',
    schemaTable: 'schema_migrations',
    execQuery: (query) => client.query(query),
  });
