import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  readonly path: string;
  remove(): Promise<void>;
}

/**
 * A fresh folder under the system temp dir. Open to others because, when the tests run as root, the
 * embedded PostgreSQL server runs as the postgres account: in a folder that account cannot reach, its files
 * would go to /var/lib/top-songs/postgres instead (docs/operations.md, "Running as root"), and outlive the test.
 */
export async function makeTempDir(prefix: string): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), `top-songs-${prefix}-`));
  await chmod(path, 0o755);
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
