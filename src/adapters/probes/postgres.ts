import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { parse } from 'pg-connection-string';
import { type ConnectionProbe, fail, ok, type ProbeOutcome } from '../../ports/connection-probe.ts';
import { UNREACHABLE_ERRNOS } from '../network-errors.ts';
import { SHARED_CLUSTERS } from '../postgres/cluster-folder.ts';
import {
  EmbeddedPostgresError,
  embeddedPostgresAdvice,
  START_TIMEOUT_MS,
  startEmbeddedPostgres,
} from '../postgres/embedded.ts';
import { leftoverClusters, leftoversSummary } from '../postgres/leftover-clusters.ts';
import { schemaVersions } from '../postgres/migrate.ts';
import { errorCodes, hasAny, oneLine, UNKNOWN_HOST } from './error-codes.ts';

/** PostgreSQL at DATABASE_URL: reachable, the credentials accepted, the schema current. */
export function databaseUrlProbe(url: string, timeoutMs: number): ConnectionProbe {
  const where = serverOf(url);
  return {
    service: 'postgres',
    target: `${where.host}/${where.database}`,
    silentHint: `is PostgreSQL running at ${where.host}? npm run services:up -- postgres, or check DATABASE_URL`,
    check: (signal) =>
      inspect(url, timeoutMs, signal).catch((error: unknown) => refused(error, where, 'DATABASE_URL')),
  };
}

/**
 * The embedded PostgreSQL of `npm start` (DATABASE_URL unset): the server already running for this data folder,
 * or else one started for the check, as `npm start` would, and stopped again before the check settles.
 */
export function embeddedPostgresProbe(dataDir: string, timeoutMs: number): ConnectionProbe {
  const folder = join(dataDir, 'postgres');
  // The first start creates the database files (initdb): seconds that say nothing about the server.
  const firstStart = !existsSync(join(folder, 'pgdata', 'PG_VERSION'));
  return {
    service: 'postgres',
    target: `embedded in ${folder}`,
    ...(firstStart ? { timeoutMs: Math.max(timeoutMs, START_TIMEOUT_MS) } : {}),
    silentHint: `the embedded PostgreSQL in ${folder} did not start in time: try again with a longer --timeout, or delete ${folder} to start it afresh`,
    check: async (signal) => {
      const starting = startEmbeddedPostgres(folder);
      // Cut off by the timeout: the server it started must not outlive the check.
      signal.addEventListener(
        'abort',
        () =>
          void starting.then(
            (database) => database.stop(),
            () => {},
          ),
      );
      let database: Awaited<typeof starting>;
      try {
        database = await starting;
      } catch (error) {
        if (error instanceof EmbeddedPostgresError) return fail(error.reason, error.advice);
        throw error;
      }
      try {
        const outcome = await inspect(database.url, timeoutMs, signal).catch((error: unknown) =>
          fail(oneLine(error), embeddedPostgresAdvice(folder)),
        );
        const how =
          database.sharedWith === undefined
            ? 'was not running: started for this check and stopped again'
            : `running (process ${database.sharedWith})`;
        if (outcome.status !== 'ok') return outcome;
        const leftovers = leftoversSummary(await leftoverClusters(SHARED_CLUSTERS));
        return ok(`${how}; ${outcome.detail}${leftovers ? `; ${leftovers}` : ''}`);
      } finally {
        await database.stop();
      }
    },
  };
}

/** Connects, reads the server's version and the schema's. Throws what the connection throws. */
async function inspect(url: string, timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  const abandon = () => void client.end().catch(() => {});
  signal.addEventListener('abort', abandon);
  // A connection that breaks later (the server stops) must not become an uncaught 'error' event.
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    const version = `PostgreSQL ${rows[0]?.server_version.split(' ')[0] ?? '?'}`;
    const { applied, latest } = await schemaVersions(client);
    if (applied > latest) {
      return fail(
        `${version}; schema at migration ${applied}, newer than this code's newest (${latest})`,
        'a newer version of Top Songs migrated this database: update this checkout, or point DATABASE_URL at a database of this version',
      );
    }
    if (applied < latest) {
      const state = applied === 0 ? 'no schema yet' : `schema at migration ${applied} of ${latest}`;
      return ok(`${version}; ${state} (npm start and the functions migrate it when they open it)`);
    }
    return ok(`${version}; schema current (migration ${latest})`);
  } finally {
    signal.removeEventListener('abort', abandon);
    await client.end().catch(() => {});
  }
}

/** Why PostgreSQL could not be used, worded for the setting that names it. */
function refused(error: unknown, where: { host: string; user: string; database: string }, setting: string) {
  const codes = errorCodes(error);
  const detail = oneLine(error);
  if (codes.has('28P01')) {
    return fail(detail, `PostgreSQL refused the password for user ${where.user}: check ${setting}`);
  }
  if (codes.has('28000')) {
    return fail(
      detail,
      `PostgreSQL refused user ${where.user} (unknown role or no pg_hba.conf entry): check ${setting}`,
    );
  }
  if (codes.has('3D000')) {
    return fail(
      detail,
      `database ${where.database} does not exist: create it (CREATE DATABASE ${where.database}) or fix ${setting}`,
    );
  }
  if (hasAny(codes, UNKNOWN_HOST)) {
    return fail(detail, `the host of ${where.host} does not resolve: check ${setting}`);
  }
  if (hasAny(codes, UNREACHABLE_ERRNOS) || /timeout/i.test(detail)) {
    return fail(
      detail,
      `is PostgreSQL running at ${where.host}? npm run services:up -- postgres, or check ${setting}`,
    );
  }
  return fail(detail, `check ${setting} and that the server at ${where.host} is PostgreSQL`);
}

/** host:port, user and database of a connection string, without its password. */
function serverOf(url: string): { host: string; user: string; database: string } {
  const parsed = parse(url);
  return {
    host: `${parsed.host ?? 'localhost'}:${parsed.port ?? 5432}`,
    user: parsed.user ?? '(default user)',
    database: parsed.database ?? '(default database)',
  };
}
