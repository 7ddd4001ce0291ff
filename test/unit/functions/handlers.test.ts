/**
 * The real handlers, driven with the recorded AWS events in test/fixtures/events, against a temp
 * data folder (embedded transport, folder lake) and a real embedded PostgreSQL.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler as authorizer } from '../../../functions/api-key-authorizer/handler.ts';
import { handler as chartDaily } from '../../../functions/chart-daily/handler.ts';
import { handler as chartHourly } from '../../../functions/chart-hourly/handler.ts';
import { handler as chartsApi } from '../../../functions/charts-api/handler.ts';
import { handler as compact } from '../../../functions/compact/handler.ts';
import { handler as enrich } from '../../../functions/enrich/handler.ts';
import { handler as ingest } from '../../../functions/ingest/handler.ts';
import { handler as lakeWriter } from '../../../functions/lake-writer/handler.ts';
import { httpFunction } from '../../../functions/shared/http-function.ts';
import { lambdaContext } from '../../../local/lambda-events.ts';
import { withDuckDb } from '../../../src/adapters/duckdb/duckdb.ts';
import type { EmbeddedTransport } from '../../../src/adapters/transport/embedded/transport.ts';
import { loadSettings } from '../../../src/config/settings.ts';
import { sequenceNumberOffset } from '../../../src/domain/lake-layout.ts';
import { StoreUnavailableError } from '../../../src/ports/chart-store.ts';
import { createApiKey } from '../../../src/use-cases/manage-api-keys.ts';
import {
  createDependencies,
  type Dependencies,
  installDependencies,
} from '../../../src/wiring/dependencies.ts';
import { asAuthorized } from '../support/authorized.ts';
import { postgresForThisFile } from '../support/postgres.ts';
import { readPlayRows, type TempDir, tempDir } from '../support/temp.ts';

type Invocable = (event: never, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
const invoke = <T>(fn: unknown, name: string, event: unknown) =>
  (fn as Invocable)(event as never, lambdaContext(name, 60)) as Promise<T>;

const fixture = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(join(import.meta.dirname, '../../fixtures/events', name), 'utf8'));

const defaultRegions = ['us', 'gb', 'de', 'fr', 'br', 'mx', 'jp', 'in'];
const padded = (offset: number) => String(offset).padStart(12, '0');
const mskFiles = [
  `plays/dt=2026-11-20/hour=09/lake-writer-song-plays-0-${padded(43)}.parquet`,
  `plays/dt=2026-11-20/hour=10/lake-writer-song-plays-0-${padded(40)}.parquet`,
  `plays/dt=2026-11-20/hour=10/lake-writer-song-plays-2-${padded(7)}.parquet`,
  `rejects/dt=2026-11-20/lake-writer-song-plays-0-${padded(42)}.jsonl`,
  `rejects/dt=2026-11-20/lake-writer-song-plays-2-${padded(8)}.jsonl`,
  // Written at 10:50, past 09:00's end and grace: the 09:58 play marks its hour for restatement.
  `restatements/hour/2026-11-20T09/lake-writer-song-plays-0-${padded(43)}`,
];

const databaseUrl = postgresForThisFile('handlers');

let dataDir: TempDir;
let deps: Dependencies;
let now = new Date('2026-11-20T10:50:00Z');
beforeEach(async () => {
  dataDir = await tempDir('handlers');
  now = new Date('2026-11-20T10:50:00Z');
  const settings = loadSettings({
    TOP_SONGS_DATA_DIR: dataDir.path,
    LAKE_URI: join(dataDir.path, 'lake'),
    DATABASE_URL: databaseUrl(),
  });
  deps = createDependencies(settings, () => now);
  installDependencies(deps);
});
afterEach(async () => {
  installDependencies(undefined);
  await deps.close();
  await dataDir.remove();
});

const lakeFiles = async () =>
  (await readdir(join(dataDir.path, 'lake'), { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(join(dataDir.path, 'lake').length + 1))
    .sort();

async function query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function expectNothingPublished() {
  const transport = (await deps.transport()) as EmbeddedTransport;
  expect(transport.endOffsets('song-plays')).toEqual([0, 0, 0]);
}

describe('ingest handler', () => {
  it('answers the recorded POST /v1/plays with 202 and hands the two valid plays to the transport', async () => {
    const response = await invoke<APIGatewayProxyStructuredResultV2>(
      ingest,
      'ingest',
      await asAuthorized(await fixture('api-gateway-v2-post-plays.json'), deps),
    );
    expect(response.statusCode).toBe(202);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(JSON.parse(response.body!)).toEqual({
      accepted: 2,
      rejected: [
        {
          index: 2,
          errors: [
            { field: 'event_id', message: 'must be a UUID' },
            { field: 'ms_played', message: 'must be ≥ 0' },
            { field: 'region', message: expect.stringMatching(/^unknown region "atlantis"/) },
          ],
        },
      ],
    });

    const transport = (await deps.transport()) as EmbeddedTransport;
    const records = await (await transport.consumer('song-plays', 'unit-test')).fetch(10, 0);
    const published = records
      .map((record) => ({
        key: Buffer.from(record.key!).toString(),
        play: JSON.parse(Buffer.from(record.value).toString()),
      }))
      .sort((a, b) => a.key.localeCompare(b.key));
    expect(published).toEqual([
      {
        key: 'user-0042',
        play: {
          event_id: '3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3c',
          user_id: 'user-0042',
          song_id: 'song-000017',
          region: 'us',
          played_at: '2026-11-20T10:12:31.000Z',
          ms_played: 184000,
          device: 'ios',
          session_id: 'sess-7f3a',
        },
      },
      {
        key: 'user-0107',
        play: {
          event_id: '9c2d4e6f-1a3b-4c5d-8e7f-0a1b2c3d4e5f',
          user_id: 'user-0107',
          song_id: 'song-000003',
          region: 'gb',
          played_at: '2026-11-20T10:47:05.000Z',
          ms_played: 45250,
          device: 'web',
        },
      },
    ]);
  });

  it('judges the recorded plays by its clock: 31 days later nothing is valid (400) and nothing is published', async () => {
    now = new Date('2026-12-21T10:50:00Z');
    const response = await invoke<APIGatewayProxyStructuredResultV2>(
      ingest,
      'ingest',
      await asAuthorized(await fixture('api-gateway-v2-post-plays.json'), deps),
    );
    expect(response.statusCode).toBe(400);
    const body = JSON.parse(response.body!);
    expect(body.rejected.map((rejected: { index: number }) => rejected.index)).toEqual([0, 1, 2]);
    expect(body.rejected[0].errors).toEqual([{ field: 'played_at', message: 'is older than 30 days' }]);
    await expectNothingPublished();
  });

  it('refuses the recorded POST reaching it without an authorizer’s context: 401, nothing published', async () => {
    const response = await invoke<APIGatewayProxyStructuredResultV2>(
      ingest,
      'ingest',
      await fixture('api-gateway-v2-post-plays.json'),
    );
    expect(response.statusCode).toBe(401);
    expect(response.headers).toMatchObject({ 'www-authenticate': 'Bearer realm="top-songs"' });
    await expectNothingPublished();
  });
});

describe('api-key-authorizer handler', () => {
  const withKey = (event: Record<string, unknown>, key: string): Record<string, unknown> => ({
    ...event,
    headers: { ...(event.headers as object), authorization: `Bearer ${key}` },
    identitySource: [`Bearer ${key}`],
  });

  it('refuses the recorded request, whose key is not in use', async () => {
    const answer = await invoke(
      authorizer,
      'api-key-authorizer',
      await fixture('api-gateway-v2-authorizer-post-plays.json'),
    );
    expect(answer).toEqual({ isAuthorized: false });
  });

  it('allows a key in use, passing its id, name and rate limit on, and refuses it once revoked', async () => {
    const keys = await deps.apiKeys();
    const { key, record } = await createApiKey(keys, {
      name: 'authorizer-test',
      rateLimit: { requests: 20, windowSeconds: 1 },
    });
    const event = withKey(await fixture('api-gateway-v2-authorizer-post-plays.json'), key);
    expect(await invoke(authorizer, 'api-key-authorizer', event)).toEqual({
      isAuthorized: true,
      context: { keyId: record.id, keyName: 'authorizer-test', rateLimit: 20, rateWindowSeconds: 1 },
    });
    await keys.revoke({ id: record.id });
    expect(await invoke(authorizer, 'api-key-authorizer', event)).toEqual({ isAuthorized: false });
  });

  it("answers an emulator's event, which lacks fields it does not read", async () => {
    const { key } = await createApiKey(await deps.apiKeys(), {
      name: 'emulated',
      rateLimit: { requests: 1, windowSeconds: 60 },
    });
    const recorded = withKey(await fixture('api-gateway-v2-authorizer-post-plays.json'), key);
    const {
      domainPrefix: _prefix,
      time: _time,
      timeEpoch: _epoch,
      ...requestContext
    } = recorded.requestContext as Record<string, unknown>;
    // MiniStack 1.5.33's _authorize_request_v2 event.
    const ministack = {
      ...recorded,
      queryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      requestContext,
    };
    expect(await invoke(authorizer, 'api-key-authorizer', ministack)).toMatchObject({ isAuthorized: true });
  });
});

describe('lake-writer handler', () => {
  it('writes the recorded MSK batch to the lake: plays per hour and partition, rejects with reasons, a mark for the closed hour', async () => {
    const result = await invoke(lakeWriter, 'lake-writer', await fixture('msk-song-plays.json'));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await lakeFiles()).toEqual(mskFiles);

    const hour10 = await readPlayRows([join(dataDir.path, 'lake', mskFiles[1]!)]);
    expect(
      hour10.map((row) => [row.source_offset, row.region, row.song_id, row.ms_played, row.played_at]),
    ).toEqual([
      [40, 'us', 'song-000017', 201000, '2026-11-20T10:49:58.000Z'],
      [41, 'de', 'song-000017', 12000, '2026-11-20T10:50:40.000Z'],
    ]);
    const hour09 = await readPlayRows([join(dataDir.path, 'lake', mskFiles[0]!)]);
    expect(hour09).toEqual([
      {
        event_id: 'e4d0f3a1-5c6b-4a8f-9e9d-0c1b2a3f4e5d',
        user_id: 'user-0042',
        song_id: 'song-000005',
        region: 'us',
        played_at: '2026-11-20T09:58:30.000Z',
        ms_played: 95000,
        device: null,
        session_id: 'sess-0042-a',
        source_topic: 'song-plays',
        source_partition: 0,
        source_offset: 43,
      },
    ]);

    const rejectsOf = async (key: string) =>
      (await readFile(join(dataDir.path, 'lake', key), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
    expect(await rejectsOf(mskFiles[3]!)).toEqual([
      expect.objectContaining({
        partition: 0,
        offset: 42,
        received_at: '2026-11-20T10:51:13.020Z',
        errors: [
          { field: 'song_id', message: 'is required' },
          { field: 'region', message: expect.stringMatching(/^unknown region "atlantis"/) },
        ],
      }),
    ]);
    const [notJson] = await rejectsOf(mskFiles[4]!);
    expect(notJson).toMatchObject({ partition: 2, offset: 8, value: '{"event_id": "0a6f2b5c-7e8d-4c0b' });
    expect(notJson.errors[0].field).toBe('(record)');
  });

  it('takes the same batch from a self-managed Kafka event source', async () => {
    const result = await invoke(
      lakeWriter,
      'lake-writer',
      await fixture('self-managed-kafka-song-plays.json'),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await lakeFiles()).toEqual([
      `plays/dt=2026-11-20/hour=10/lake-writer-song-plays-1-${padded(118)}.parquet`,
    ]);
  });

  const kinesisSequence = [
    '49656832120465783017245096810364723479011220830837669906',
    '49656832120465783017245096810365932404830835460012376082',
    '49656832120465783017245096810367141330650450089187082258',
    '49656832120465783017245096810368350256470064718361788434',
  ];
  const kinesisFiles = [
    `plays/dt=2026-11-20/hour=09/lake-writer-top-songs-plays-1-${kinesisSequence[3]}.parquet`,
    `plays/dt=2026-11-20/hour=10/lake-writer-top-songs-plays-1-${kinesisSequence[0]}.parquet`,
    `rejects/dt=2026-11-20/lake-writer-top-songs-plays-1-${kinesisSequence[2]}.jsonl`,
    `restatements/hour/2026-11-20T09/lake-writer-top-songs-plays-1-${kinesisSequence[3]}`,
  ];

  it('writes the recorded Kinesis batch: files named after sequence numbers, shard index as partition', async () => {
    const result = await invoke(lakeWriter, 'lake-writer', await fixture('kinesis-song-plays.json'));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await lakeFiles()).toEqual(kinesisFiles);
    const hour10 = await readPlayRows([join(dataDir.path, 'lake', kinesisFiles[1]!)]);
    // source_offset is a fingerprint of the sequence number, so readPlayRows' order is not the stream's.
    expect(
      hour10
        .map((row) => [row.source_topic, row.source_partition, row.source_offset, row.song_id])
        .sort((a, b) => String(a[3]).localeCompare(String(b[3]))),
    ).toEqual([
      ['top-songs-plays', 1, sequenceNumberOffset(kinesisSequence[1]!), 'song-000003'],
      ['top-songs-plays', 1, sequenceNumberOffset(kinesisSequence[0]!), 'song-000017'],
    ]);
    const hour09 = await readPlayRows([join(dataDir.path, 'lake', kinesisFiles[0]!)]);
    expect(hour09).toMatchObject([
      { region: 'de', session_id: 'sess-0318-b', played_at: '2026-11-20T09:59:30.000Z' },
    ]);
    const [reject] = (await readFile(join(dataDir.path, 'lake', kinesisFiles[2]!), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(reject).toMatchObject({
      topic: 'top-songs-plays',
      partition: 1,
      sequence_number: kinesisSequence[2],
      received_at: '2026-11-20T10:53:05.604Z',
      errors: [{ field: 'region', message: expect.stringMatching(/^unknown region "atlantis"/) }],
    });
  });

  it('reports a Kinesis shard it could not write by the sequence number of its first record; the retry writes the same files', async () => {
    // A file where the 09 hour's folder must go: that hour's write fails, so the shard's batch does.
    const blocked = join(dataDir.path, 'lake', 'plays/dt=2026-11-20/hour=09');
    await mkdir(join(blocked, '..'), { recursive: true });
    await writeFile(blocked, 'in the way');
    const event = await fixture('kinesis-song-plays.json');
    expect(await invoke(lakeWriter, 'lake-writer', event)).toEqual({
      batchItemFailures: [{ itemIdentifier: kinesisSequence[0] }],
    });
    await rm(blocked);
    expect(await invoke(lakeWriter, 'lake-writer', event)).toEqual({ batchItemFailures: [] });
    expect(await lakeFiles()).toEqual(kinesisFiles);
  });

  it('throws a parse error for an envelope that is not a Kafka event, and writes nothing', async () => {
    for (const name of ['eventbridge-scheduled.json', 'api-gateway-v2-post-plays.json']) {
      await expect(invoke(lakeWriter, 'lake-writer', await fixture(name))).rejects.toMatchObject({
        name: 'ParseError',
      });
    }
    const msk = await fixture('msk-song-plays.json');
    await expect(
      invoke(lakeWriter, 'lake-writer', { ...msk, eventSource: 'aws:kinesis' }),
    ).rejects.toMatchObject({
      name: 'ParseError',
    });
    await expect(readdir(join(dataDir.path, 'lake'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('chart jobs and charts-api handlers (PostgreSQL)', () => {
  it('charts the recorded hour from the lake into PostgreSQL and serves it: 404 before, 200 after', async () => {
    await deps.chartStore();
    await query('TRUNCATE charts, chart_entries, genre_charts, genre_chart_entries');
    const getCharts = await fixture('api-gateway-v2-get-charts.json');
    const before = await invoke<APIGatewayProxyStructuredResultV2>(chartsApi, 'charts-api', getCharts);
    expect(before.statusCode).toBe(404);
    expect(JSON.parse(before.body!)).toEqual({ message: 'no hour chart for region us yet' });

    await invoke(lakeWriter, 'lake-writer', await fixture('msk-song-plays.json'));
    await invoke(lakeWriter, 'lake-writer', await fixture('self-managed-kafka-song-plays.json'));
    now = new Date('2026-11-20T11:05:00Z');
    const job = await invoke(chartHourly, 'chart-hourly', await fixture('chart-hourly-backfill.json'));
    expect(job).toEqual({
      computed: [
        {
          period: 'hour',
          window_start: '2026-11-20T10:00:00.000Z',
          window_end: '2026-11-20T11:00:00.000Z',
          status: 'final',
          files: 3,
          enriched_hours: 0,
          rollup_hours: 0,
          eligible_plays: 3,
          restated: [],
          marks_cleared: 0,
        },
      ],
      skipped: [],
    });

    // Every configured region and `global` has a chart; only us, gb and global have plays.
    const charts = await query<{ region: string; eligible_plays: string; status: string }>(
      `SELECT region, eligible_plays, status FROM charts
       WHERE period = 'hour' AND window_start = '2026-11-20T10:00:00Z' ORDER BY region`,
    );
    expect(charts.map((chart) => [chart.region, Number(chart.eligible_plays), chart.status])).toEqual(
      [...defaultRegions, 'global']
        .sort()
        .map((region) => [region, { us: 2, gb: 1, global: 3 }[region] ?? 0, 'final']),
    );
    const entries = await query<{ region: string; rank: number; song_id: string; plays: string }>(
      `SELECT region, rank, song_id, plays FROM chart_entries
       WHERE period = 'hour' AND window_start = '2026-11-20T10:00:00Z' ORDER BY region, rank`,
    );
    expect(entries.map((entry) => [entry.region, entry.rank, entry.song_id, Number(entry.plays)])).toEqual([
      ['gb', 1, 'song-000003', 1],
      ['global', 1, 'song-000017', 2],
      ['global', 2, 'song-000003', 1],
      ['us', 1, 'song-000017', 2],
    ]);

    const after = await invoke<APIGatewayProxyStructuredResultV2>(chartsApi, 'charts-api', getCharts);
    expect(after.statusCode).toBe(200);
    expect(JSON.parse(after.body!)).toEqual({
      region: 'us',
      period: 'hour',
      window_start: '2026-11-20T10:00:00.000Z',
      window_end: '2026-11-20T11:00:00.000Z',
      status: 'final',
      generated_at: '2026-11-20T11:05:00.000Z',
      eligible_plays: 2,
      version: 1,
      restated_at: null,
      source: 'lake',
      as_of: '2026-11-20T11:05:00.000Z',
      entries: [
        {
          rank: 1,
          song_id: 'song-000017',
          title: null,
          artist: null,
          genre: null,
          plays: 2,
          previous_rank: null,
          movement: 'new',
          peak_rank: 1,
          periods_on_chart: 1,
        },
      ],
    });
    // The handler sets the caching headers, so API Gateway sends them as they are; the latest chart is short-lived.
    expect(after.headers).toMatchObject({
      etag: expect.stringMatching(/^"[\w-]+"$/),
      'cache-control': 'public, max-age=5',
    });
    const conditional = {
      ...getCharts,
      headers: { ...(getCharts.headers as object), 'If-None-Match': after.headers!.etag },
    };
    expect(await invoke(chartsApi, 'charts-api', conditional)).toEqual({
      statusCode: 304,
      headers: { etag: after.headers!.etag, 'cache-control': 'public, max-age=5' },
    });

    // A backfill is a re-run: the same window again gives the same chart, not a doubled one.
    await invoke(chartHourly, 'chart-hourly', await fixture('chart-hourly-backfill.json'));
    const again = await invoke<APIGatewayProxyStructuredResultV2>(chartsApi, 'charts-api', getCharts);
    expect(JSON.parse(again.body!)).toEqual(JSON.parse(after.body!));
  });

  it('serves the regions', async () => {
    const response = await invoke<APIGatewayProxyStructuredResultV2>(
      chartsApi,
      'charts-api',
      await fixture('api-gateway-v2-get-regions.json'),
    );
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body!)).toEqual({ regions: defaultRegions, global: 'global' });
  });

  it("serves the regions to an emulator's event, which lacks fields no handler reads", async () => {
    const response = await invoke<APIGatewayProxyStructuredResultV2>(
      chartsApi,
      'charts-api',
      await fixture('api-gateway-v2-get-regions-ministack.json'),
    );
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body!)).toEqual({ regions: defaultRegions, global: 'global' });
  });

  it('answers an unexpected failure with a JSON 500 that leaks nothing', async () => {
    const failing = httpFunction(async () => {
      throw new Error('connection to 10.0.0.7 refused');
    });
    const response = await invoke<APIGatewayProxyStructuredResultV2>(
      failing,
      'charts-api',
      await fixture('api-gateway-v2-get-regions.json'),
    );
    expect(response.statusCode).toBe(500);
    expect(response.headers?.['Content-Type']).toBe('application/json');
    expect(JSON.parse(response.body!)).toEqual({ message: 'internal error; it has been logged' });
  });

  it("answers a port's unavailability that the use case left unanswered with a 503 and Retry-After", async () => {
    const unavailable = httpFunction(async () => {
      throw new StoreUnavailableError('PostgreSQL is unreachable (ECONNREFUSED)', 9);
    });
    const response = await invoke<APIGatewayProxyStructuredResultV2>(
      unavailable,
      'charts-api',
      await fixture('api-gateway-v2-get-regions.json'),
    );
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'retry-after': '9' });
    expect(JSON.parse(response.body!)).toEqual({
      message: 'PostgreSQL is unreachable (ECONNREFUSED); retry the request',
    });
  });

  it('charts the recorded day with chart-daily', async () => {
    await invoke(lakeWriter, 'lake-writer', await fixture('msk-song-plays.json'));
    now = new Date('2026-11-21T00:10:00Z');
    const job = await invoke(chartDaily, 'chart-daily', await fixture('chart-daily-backfill.json'));
    // The day holds the 09:58 play too: us song-000017 and song-000005, gb song-000003.
    expect(job).toEqual({
      computed: [
        {
          period: 'day',
          window_start: '2026-11-20T00:00:00.000Z',
          window_end: '2026-11-21T00:00:00.000Z',
          status: 'final',
          // Both hours with plays (09, 10) are final: each read from its rollup, a counts and a keys file.
          files: 4,
          enriched_hours: 0,
          rollup_hours: 2,
          eligible_plays: 3,
          restated: [],
          marks_cleared: 0,
        },
      ],
      skipped: [],
    });
  });

  it('on the recorded schedule charts the closed hour (closing, then final) and the open one, until the closed one settles', async () => {
    await deps.chartStore();
    await query('TRUNCATE charts, chart_entries, genre_charts, genre_chart_entries');
    const scheduled = await fixture('eventbridge-scheduled.json');
    type JobResult = { computed: { window_start: string; status: string }[]; skipped: unknown[] };
    const runAt = async (instant: string) => {
      now = new Date(instant);
      const job = await invoke<JobResult>(chartHourly, 'chart-hourly', scheduled);
      return {
        computed: job.computed.map((window) => [window.window_start, window.status]),
        skipped: job.skipped,
      };
    };

    // 11:03 (the event's own time): the closed 10:00 hour is closing (the 5-minute grace for late plays), 11:00
    // is still open.
    expect(await runAt('2026-11-20T11:03:00Z')).toEqual({
      computed: [
        ['2026-11-20T10:00:00.000Z', 'closing'],
        ['2026-11-20T11:00:00.000Z', 'provisional'],
      ],
      skipped: [],
    });
    // 11:06: the chart of 11:03 was made inside the grace, so it is redone, now final.
    expect(await runAt('2026-11-20T11:06:00Z')).toEqual({
      computed: [
        ['2026-11-20T10:00:00.000Z', 'final'],
        ['2026-11-20T11:00:00.000Z', 'provisional'],
      ],
      skipped: [],
    });
    // 11:07: the chart made at 11:06 is past the grace: settled, left alone.
    expect(await runAt('2026-11-20T11:07:00Z')).toEqual({
      computed: [['2026-11-20T11:00:00.000Z', 'provisional']],
      skipped: [{ window_start: '2026-11-20T10:00:00.000Z', reason: 'final chart is settled' }],
    });
  });

  it('refuses a window of the other period, pointing at the right job', async () => {
    await expect(
      invoke(chartHourly, 'chart-hourly', await fixture('chart-daily-backfill.json')),
    ).rejects.toThrow('this job charts hours; send period "day" to chart-daily');
    await expect(
      invoke(chartHourly, 'chart-hourly', { period: 'hour', window_start: '2026-11-20T10:30:00Z' }),
    ).rejects.toThrow('is not the start of a UTC hour');
  });
});

describe('compact and enrich handlers: an hour rewritten with one DuckDB thread', () => {
  const duckDbThreads = () =>
    withDuckDb(async (connection) =>
      Number((await connection.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]?.[0]),
    );
  const hour = { period: 'hour', window_start: '2026-11-20T10:00:00Z' };

  it('compacts and enriches the recorded hour single-threaded; a chart job then charts with two threads', async () => {
    await invoke(lakeWriter, 'lake-writer', await fixture('msk-song-plays.json'));
    now = new Date('2026-11-20T12:00:00Z');
    const compacted = await invoke<{ hours: unknown[] }>(compact, 'compact', hour);
    expect(compacted.hours).toMatchObject([{ status: 'compacted', files: 1 }]);
    expect(await duckDbThreads()).toBe(1);
    await invoke(chartHourly, 'chart-hourly', hour);
    expect(await duckDbThreads()).toBe(2);
    const enriched = await invoke<{ enriched: unknown[] }>(enrich, 'enrich', hour);
    expect(enriched.enriched).toMatchObject([{ hour: '2026-11-20T10:00:00.000Z' }]);
    expect(await duckDbThreads()).toBe(1);
  });
});
