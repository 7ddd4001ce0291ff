import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/adapters/postgres/embedded.ts';
import { loadSettings, type Settings } from '../src/config/settings.ts';
import type { Clock } from '../src/ports/clock.ts';
import { createDependencies, type Dependencies } from '../src/wiring/dependencies.ts';

export interface LocalDependencies {
  readonly settings: Settings;
  readonly dependencies: Dependencies;
  /** Closes the adapters, then stops the embedded PostgreSQL if this started it. */
  close(): Promise<void>;
}

/**
 * The adapters of a local command (`npm run invoke`, `npm run keys`) from its environment: the
 * database is DATABASE_URL's, or the secret's (DATABASE_SECRET_ARN), or else an embedded PostgreSQL kept in
 * `<TOP_SONGS_DATA_DIR>/postgres` (shared with a running `npm start`).
 */
export async function openLocalDependencies(
  env: Record<string, string | undefined>,
  clock?: Clock,
): Promise<LocalDependencies> {
  let settings = loadSettings(env);
  const database =
    settings.databaseUrl || settings.databaseSecretArn
      ? undefined
      : await startEmbeddedPostgres(join(settings.dataDir, 'postgres'));
  if (database) settings = { ...settings, databaseUrl: database.url };
  let dependencies: Dependencies;
  try {
    dependencies = createDependencies(settings, clock);
  } catch (error) {
    await database?.stop();
    throw error;
  }
  return {
    settings,
    dependencies,
    close: async () => {
      await dependencies.close();
      await database?.stop();
    },
  };
}
