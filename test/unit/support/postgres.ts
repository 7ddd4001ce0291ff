import { afterAll, beforeAll } from 'vitest';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../../src/adapters/postgres/embedded.ts';
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
