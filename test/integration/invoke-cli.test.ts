import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localModeEnv } from '../../devkit/local-process.ts';
import { recentPlay } from '../../devkit/play-batches.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { devApiKeyFile, readApiKeyFile } from '../../local/dev-api-key.ts';
import { encodePlaysParquet } from '../../src/adapters/duckdb/plays-parquet.ts';
import { LocalFolderStore } from '../../src/adapters/object-store/local-folder.ts';
import { enrichedManifestKey } from '../../src/domain/enriched.ts';
import { playsFileKey } from '../../src/domain/lake-layout.ts';
import type { PlayEvent } from '../../src/domain/play-event.ts';

const run = promisify(execFile);
// The invoked functions use this test's own folder lake, whatever the environment exports.
const inheritedEnv = localModeEnv();
const root = resolve(import.meta.dirname, '../..');

/** `npm run invoke -- <function> [--event <file>|-]`, as a user runs it. */
describe('the invoke command', () => {
  let dataDir: Awaited<ReturnType<typeof makeTempDir>>;

  beforeAll(async () => {
    dataDir = await makeTempDir('invoke');
  });

  afterAll(async () => dataDir?.remove());

  const invoke = (args: string[]) =>
    run(process.execPath, [resolve(root, 'local/invoke.ts'), ...args], {
      cwd: root,
      env: { ...inheritedEnv, TOP_SONGS_DATA_DIR: dataDir.path },
    });

  it('runs a chart job with a recorded event and prints its result', async () => {
    const { stdout } = await invoke([
      'chart-hourly',
      '--event',
      'test/fixtures/events/chart-hourly-backfill.json',
    ]);
    const result = JSON.parse(stdout) as {
      computed: { window_start: string; status: string; files: number }[];
    };
    expect(result.computed).toEqual([
      expect.objectContaining({ window_start: '2026-11-20T10:00:00.000Z', status: 'final', files: 0 }),
    ]);
  });

  it('finds the chart it computed through charts-api, on the same database', async () => {
    const { stdout } = await invoke([
      'charts-api',
      '--event',
      'test/fixtures/events/api-gateway-v2-get-regions.json',
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ statusCode: 200 });
    const query = JSON.stringify({
      version: '2.0',
      routeKey: 'GET /v1/charts',
      rawPath: '/v1/charts',
      rawQueryString: 'region=global&period=hour&start=2026-11-20T10:00:00Z',
      headers: {},
      queryStringParameters: { region: 'global', period: 'hour', start: '2026-11-20T10:00:00Z' },
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: {
          method: 'GET',
          path: '/v1/charts',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'test',
        },
        requestId: 'r1',
        routeKey: 'GET /v1/charts',
        stage: '$default',
        time: '20/Nov/2026:10:00:00 +0000',
        timeEpoch: 1795168800000,
      },
      isBase64Encoded: false,
    });
    const child = execFile(
      process.execPath,
      [resolve(root, 'local/invoke.ts'), 'charts-api', '--event', '-'],
      {
        cwd: root,
        env: { ...inheritedEnv, TOP_SONGS_DATA_DIR: dataDir.path },
      },
    );
    child.stdin?.end(query);
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    await new Promise((done) => child.once('exit', done));
    const response = JSON.parse(output) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ region: 'global', status: 'final', entries: [] });
  });

  it('names the functions when given an unknown one, and exits 2', async () => {
    const failure = await invoke(['no-such-function']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(
      /expected one of api-key-authorizer, ingest, lake-writer/,
    );
  });

  /** The recorded POST /v1/plays with a fresh play (the recorded ones age out of ingest's 30 days). */
  async function postEvent(): Promise<Record<string, unknown>> {
    const recorded = JSON.parse(
      await readFile(resolve(root, 'test/fixtures/events/api-gateway-v2-post-plays.json'), 'utf8'),
    ) as Record<string, unknown>;
    return { ...recorded, body: JSON.stringify({ events: [recentPlay()] }) };
  }

  const invokeWithStdin = (args: string[], event: unknown) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = execFile(
        process.execPath,
        [resolve(root, 'local/invoke.ts'), ...args, '--event', '-'],
        { cwd: root, env: { ...inheritedEnv, TOP_SONGS_DATA_DIR: dataDir.path } },
        (error, stdout, stderr) => done({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
      child.stdin?.end(JSON.stringify(event));
    });

  it('runs ingest through the authorizer, as API Gateway would, with the development key', async () => {
    const outcome = await invokeWithStdin(['ingest'], await postEvent());
    expect(outcome.stderr).toMatch(/POST \/v1\/plays with the development API key/);
    expect(JSON.parse(outcome.stdout)).toMatchObject({ statusCode: 202 });
    // The key it created is local mode's development key, kept for the next run.
    expect(await readApiKeyFile(devApiKeyFile(dataDir.path))).toMatch(/^tsk_/);
  });

  it('answers as API Gateway would for a key not in use (403), and never reaches ingest', async () => {
    const outcome = await invokeWithStdin(['ingest', '--api-key', 'tsk_not-in-use'], await postEvent());
    expect(JSON.parse(outcome.stdout)).toEqual({
      statusCode: 403,
      headers: { 'content-type': 'application/json' },
      body: '{"message":"Forbidden"}',
    });
  });

  it('enriches an hour given on standard input, and only once while its plays stay the same', async () => {
    const hour = new Date('2026-11-20T10:00:00.000Z');
    const lake = new LocalFolderStore(join(dataDir.path, 'lake'));
    const play = recentPlay({ played_at: '2026-11-20T10:30:00.000Z', ms_played: 12_000 }) as PlayEvent;
    const key = playsFileKey(hour, {
      writer: 'lake-writer',
      topic: 'song-plays',
      partition: 0,
      firstOffset: 7,
    });
    const row = { ...play, source_topic: 'song-plays', source_partition: 0, source_offset: 7 };
    await lake.put(key, await encodePlaysParquet([row, row]), 'application/vnd.apache.parquet');
    const event = { period: 'hour', window_start: hour.toISOString() };

    const first = await invokeWithStdin(['enrich'], event);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      enriched: [{ hour: hour.toISOString(), reason: 'not enriched yet', rows: 1, counted: 0 }],
    });
    expect(await lake.list(enrichedManifestKey(hour))).toEqual([enrichedManifestKey(hour)]);
    const second = await invokeWithStdin(['enrich'], event);
    expect(JSON.parse(second.stdout)).toMatchObject({ enriched: [], current: 1 });
  });

  it('runs the authorizer itself with its recorded event', async () => {
    const { stdout } = await invoke([
      'api-key-authorizer',
      '--event',
      'test/fixtures/events/api-gateway-v2-authorizer-post-plays.json',
    ]);
    expect(JSON.parse(stdout)).toEqual({ isAuthorized: false });
  });
});
