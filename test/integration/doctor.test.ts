/**
 * `npm run doctor`, run as a user runs it (a child process), on the embedded defaults and against failures that
 * need no shared service: a stopped or silent broker, a wrong database password, a database newer than the code,
 * an OpenAI-compatible server refusing the key. The shared services' runs are in kafka/, s3/ and kinesis/.
 */
import { readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import {
  type EmbeddedDatabase,
  freePort,
  startEmbeddedPostgres,
} from '../../src/adapters/postgres/embedded.ts';
import { migrate } from '../../src/adapters/postgres/migrate.ts';
import { runningServer } from '../../src/adapters/postgres/postmaster.ts';
import { EmbeddedTransport } from '../../src/adapters/transport/embedded/transport.ts';
import { topics } from '../../src/topology.ts';
import { type JsonCheck, parseTable, rowOf, runDoctor } from '../support/doctor.ts';

const root = resolve(import.meta.dirname, '../..');
const KEY = 'sk-doctor-test-key';

/** The newest migration, from the file names (NNN.do.name.sql), independently of postgrator. */
async function newestMigration(): Promise<number> {
  const files = await readdir(join(root, 'src/adapters/postgres/migrations'));
  return Math.max(...files.map((file) => Number(/^(\d+)\.do\./.exec(file)?.[1] ?? 0)));
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

describe('npm run doctor', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let server: EmbeddedDatabase;
  let openAi: Server;
  let openAiUrl: string;
  let silent: TcpServer;
  const silentSockets = new Set<Socket>();
  const dataDir = (name: string) => join(temp.path, name);

  beforeAll(async () => {
    temp = await makeTempDir('doctor');
    // A real PostgreSQL of the test's own, migrated, as DATABASE_URL for the runs that are not about the embedded one.
    server = await startEmbeddedPostgres(dataDir('server'));
    await withClient(server.url, (client) => migrate(client));
    // An OpenAI-compatible server: GET /v1/models with the right key lists two models; any other key is refused.
    openAi = createServer((request, response) => {
      const authorised = request.headers.authorization === `Bearer ${KEY}`;
      response.writeHead(request.url === '/v1/models' ? (authorised ? 200 : 401) : 404, {
        'content-type': 'application/json',
      });
      response.end(JSON.stringify({ object: 'list', data: [{ id: 'model-a' }, { id: 'model-b' }] }));
    });
    await new Promise<void>((listening) => openAi.listen(0, '127.0.0.1', listening));
    openAiUrl = `http://127.0.0.1:${(openAi.address() as { port: number }).port}/v1`;
    // A "broker" that takes connections and never answers: a hung service.
    silent = createTcpServer((socket) => {
      silentSockets.add(socket);
      socket.on('close', () => silentSockets.delete(socket));
    });
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
  });

  afterAll(async () => {
    for (const socket of silentSockets) socket.destroy();
    await new Promise((closed) => silent?.close(closed));
    await new Promise((closed) => openAi?.close(closed));
    await server?.stop();
    await temp?.remove();
  });

  it('on the embedded defaults of a fresh data folder: all green, the rest skipped, and no server left running', async () => {
    const folder = dataDir('fresh');
    const run = await runDoctor({ TOP_SONGS_DATA_DIR: folder });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const rows = parseTable(run.stdout);
    expect(rows.map((row) => [row.service, row.target, row.status])).toEqual([
      ['postgres', `embedded in ${join(folder, 'postgres')}`, 'ok'],
      ['transport', `embedded in ${join(folder, 'transport')}`, 'ok'],
      ['lake', `folder ${join(folder, 'lake')}`, 'ok'],
      ['aws', '-', 'skip'],
      ['openai', '-', 'skip'],
    ]);
    expect(rowOf(rows, 'postgres').details).toMatch(
      /^was not running: started for this check and stopped again; PostgreSQL 18/,
    );
    expect(rowOf(rows, 'aws').details).toBe('not configured (AWS_ENDPOINT_URL unset)');
    expect(run.stdout).toMatch(/\n3 ok, 0 failed, 2 skipped\n$/);
    // The server it started for the check is stopped again.
    expect(await runningServer(join(folder, 'postgres', 'pgdata'))).toBeUndefined();

    // --json says the same, check by check (a second run: only the latencies may differ).
    const json = await runDoctor({ TOP_SONGS_DATA_DIR: folder }, ['--json']);
    expect(json.code).toBe(0);
    const document = JSON.parse(json.stdout) as { ok: boolean; timeout_ms: number; checks: JsonCheck[] };
    expect(document).toMatchObject({ ok: true, timeout_ms: 10_000 });
    expect(
      document.checks.map((check) => ({
        service: check.service,
        target: check.target,
        status: check.status,
        details: check.detail,
        hint: check.hint ?? undefined,
        ms: check.latency_ms === null ? '-' : expect.stringMatching(/^\d+$/),
      })),
    ).toEqual(rows);
    expect(document.checks.find((check) => check.service === 'aws')?.latency_ms).toBeNull();
  });

  it('shares a running embedded server and leaves it running; reports the schema, the transport lag and the OpenAI server', async () => {
    const folder = dataDir('running');
    // What a running `npm start` holds: its embedded server (migrated), and a transport with records and offsets.
    const database = await startEmbeddedPostgres(join(folder, 'postgres'));
    try {
      await withClient(database.url, (client) => migrate(client));
      const transport = await EmbeddedTransport.open(join(folder, 'transport'));
      let ends: number[];
      try {
        for (let user = 0; user < 30; user++) {
          await transport.publish(topics.plays.name, [{ key: `user-${user}`, value: '{}' }]);
        }
        const consumer = await transport.consumer(topics.plays.name, 'lake-writer');
        await consumer.commit(0, 1);
        ends = transport.endOffsets(topics.plays.name);
      } finally {
        await transport.close();
      }
      const lags = ends.map((end, partition) => (partition === 0 ? end - 1 : end));
      const run = await runDoctor({
        TOP_SONGS_DATA_DIR: folder,
        OPENAI_BASE_URL: openAiUrl,
        OPENAI_API_KEY: KEY,
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const rows = parseTable(run.stdout);
      expect(rowOf(rows, 'postgres')).toMatchObject({
        status: 'ok',
        details: expect.stringMatching(
          new RegExp(
            // As root in a private folder, the line goes on to the machine's leftover databases, if any.
            `^running \\(process ${process.pid}\\); PostgreSQL 18\\.\\S+; schema current \\(migration ${await newestMigration()}\\)(; \\S+ databases? of data folders gone since .*)?$`,
          ),
        ),
      });
      expect(rowOf(rows, 'transport').details).toBe(
        `not in use; lake-writer lag ${lags.reduce((a, b) => a + b, 0)} (${lags.map((lag, p) => `p${p} ${lag}`).join(', ')})`,
      );
      expect(rowOf(rows, 'openai')).toMatchObject({ target: openAiUrl, status: 'ok', details: '2 models' });
      // The check left the server it shared running.
      expect(
        await withClient(database.url, async (client) => (await client.query('SELECT 1 AS one')).rows),
      ).toEqual([{ one: 1 }]);
    } finally {
      await database.stop();
    }
  });

  it('a wrong database password: names the user and DATABASE_URL, and exits non-zero', async () => {
    const url = new URL(server.url);
    url.password = 'not-the-password';
    const run = await runDoctor({ TOP_SONGS_DATA_DIR: dataDir('password'), DATABASE_URL: url.toString() });
    expect(run.code).toBe(1);
    const postgres = rowOf(parseTable(run.stdout), 'postgres');
    expect(postgres).toMatchObject({
      target: `127.0.0.1:${url.port}/top_songs`,
      status: 'fail',
      details: 'password authentication failed for user "postgres"',
      hint: 'PostgreSQL refused the password for user postgres: check DATABASE_URL',
    });
    expect(run.stdout).not.toContain('not-the-password');
    // Only the database failed.
    expect(rowOf(parseTable(run.stdout), 'lake').status).toBe('ok');
  });

  it('a database migrated by a newer version: fails, saying so', async () => {
    const newer = new URL(server.url);
    newer.pathname = '/doctor_newer';
    await withClient(server.url, (client) => client.query('CREATE DATABASE doctor_newer'));
    await withClient(newer.toString(), async (client) => {
      await migrate(client);
      await client.query(
        "INSERT INTO schema_migrations (version, name, md5, run_at) VALUES (999, 'future', '', now())",
      );
    });
    const run = await runDoctor({ TOP_SONGS_DATA_DIR: dataDir('newer'), DATABASE_URL: newer.toString() });
    expect(run.code).toBe(1);
    expect(rowOf(parseTable(run.stdout), 'postgres')).toMatchObject({
      status: 'fail',
      details: expect.stringMatching(
        `schema at migration 999, newer than this code's newest \\(${await newestMigration()}\\)$`,
      ),
      hint: expect.stringMatching(/^a newer version of Top Songs migrated this database/),
    });
  });

  it('a stopped broker: asks whether Kafka runs, names the command and KAFKA_BROKERS, exits non-zero', async () => {
    const brokers = `127.0.0.1:${await freePort()}`;
    const run = await runDoctor({
      TOP_SONGS_DATA_DIR: dataDir('stopped-broker'),
      DATABASE_URL: server.url,
      KAFKA_BROKERS: brokers,
    });
    expect(run.code).toBe(1);
    const rows = parseTable(run.stdout);
    expect(rowOf(rows, 'kafka')).toMatchObject({
      target: brokers,
      status: 'fail',
      details: expect.stringContaining('ECONNREFUSED'),
      hint: 'is Kafka running? npm run services:up -- kafka, or check KAFKA_BROKERS',
    });
    expect(rows.filter((row) => row.status === 'fail').map((row) => row.service)).toEqual(['kafka']);
  });

  it('a broker that never answers: fails at the timeout with the same hint, instead of hanging', async () => {
    const brokers = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    const run = await runDoctor(
      { TOP_SONGS_DATA_DIR: dataDir('silent-broker'), DATABASE_URL: server.url, KAFKA_BROKERS: brokers },
      ['--timeout', '1500'],
    );
    expect(run.code).toBe(1);
    expect(rowOf(parseTable(run.stdout), 'kafka')).toMatchObject({
      status: 'fail',
      details: 'no answer within 1500 ms (--timeout gives it longer)',
      hint: 'is Kafka running? npm run services:up -- kafka, or check KAFKA_BROKERS',
    });
  });

  it('an OpenAI key refused and an AWS endpoint that is down: each named, the key never shown', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const run = await runDoctor({
      TOP_SONGS_DATA_DIR: dataDir('other-failures'),
      DATABASE_URL: server.url,
      OPENAI_BASE_URL: openAiUrl,
      OPENAI_API_KEY: 'sk-wrong-key',
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    expect(run.code).toBe(1);
    const rows = parseTable(run.stdout);
    expect(rowOf(rows, 'openai')).toMatchObject({
      status: 'fail',
      details: 'HTTP 401',
      hint: `${openAiUrl} refused OPENAI_API_KEY: check the key`,
    });
    expect(rowOf(rows, 'aws')).toMatchObject({
      target: endpoint,
      status: 'fail',
      hint: 'is the AWS endpoint running? npm run services:up -- emulator, or check AWS_ENDPOINT_URL',
    });
    expect(run.stdout).not.toContain('sk-wrong-key');
  });

  it('settings npm start would refuse: one line (or a JSON error), exit 1; a bad --timeout: usage, exit 2', async () => {
    const invalid = await runDoctor({ PORT: 'eighty' });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr.trim()).toMatch(/^Invalid settings: PORT: [^\n]*$/);
    const json = await runDoctor({ PORT: 'eighty' }, ['--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      error: expect.stringMatching(/^Invalid settings: PORT/),
      checks: [],
    });
    const usage = await runDoctor({}, ['--timeout', 'soon']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^--timeout must be a whole number of milliseconds/);
  });
});

describe.skipIf(!process.env.AWS_ENDPOINT_URL)(
  'npm run doctor against the AWS endpoint (AWS_ENDPOINT_URL unset: npm run services:up -- emulator prints it)',
  () => {
    it('identifies the caller', async () => {
      const temp = await makeTempDir('doctor-aws');
      try {
        const endpoint = process.env.AWS_ENDPOINT_URL ?? '';
        const run = await runDoctor({
          TOP_SONGS_DATA_DIR: temp.path,
          DATABASE_URL: `postgres://nobody@127.0.0.1:${await freePort()}/none`,
          AWS_ENDPOINT_URL: endpoint,
        });
        expect(rowOf(parseTable(run.stdout), 'aws')).toMatchObject({
          target: endpoint,
          status: 'ok',
          details: expect.stringMatching(/^account \d{12} as arn:aws:/),
        });
      } finally {
        await temp.remove();
      }
    });
  },
);
