import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import Postgrator from 'postgrator';

const migrationsPattern = fileURLToPath(new URL('./migrations/*.sql', import.meta.url));

/** Brings the schema to the newest version; safe to run from several processes at once. */
export async function migrate(client: pg.Client): Promise<void> {
  const postgrator = new Postgrator({
    migrationPattern: migrationsPattern,
    driver: 'pg',
    schemaTable: 'schema_migrations',
    execQuery: (query) => client.query(query),
  });
  // Postgrator runs each migration in its own transaction; the advisory lock serialises processes.
  await client.query('SELECT pg_advisory_lock(727274)');
  try {
    await postgrator.migrate();
  } finally {
    await client.query('SELECT pg_advisory_unlock(727274)');
  }
}
