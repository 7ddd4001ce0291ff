/**
 * The shared middlewares every function uses: the metrics of one invocation are flushed once when it ends,
 * answered or failed, and HTTP functions record their latency by route and status, including a 500 that
 * httpErrorHandler made of an error. Then the real lake-writer's batch, counted from the files it wrote.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { handler as lakeWriter } from '../../../functions/lake-writer/handler.ts';
import { httpFunction } from '../../../functions/shared/http-function.ts';
import { lambdaContext } from '../../../local/lambda-events.ts';
import { prometheusMetrics } from '../../../src/adapters/metrics/prometheus.ts';
import { loadSettings } from '../../../src/config/settings.ts';
import type { Metrics } from '../../../src/ports/metrics.ts';
import { createDependencies, installDependencies } from '../../../src/wiring/dependencies.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

type Invocable = (event: never, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
const invoke = <T>(fn: unknown, name: string, event: unknown) =>
  (fn as Invocable)(event as never, lambdaContext(name, 60)) as Promise<T>;
const fixture = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(join(import.meta.dirname, '../../fixtures/events', name), 'utf8'));

/** `name{labels} value` lines of an exposition, as a map. */
async function samples(metrics: ReturnType<typeof prometheusMetrics>): Promise<Map<string, number>> {
  return new Map(
    (await metrics.exposition())
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1))]),
  );
}

let dataDir: TempDir | undefined;
afterEach(async () => {
  installDependencies(undefined);
  await dataDir?.remove();
  dataDir = undefined;
});

/** Dependencies on a temp folder whose metrics are `metrics` with its flushes counted. */
async function install(metrics = prometheusMetrics()) {
  dataDir = await tempDir('function-metrics');
  let flushes = 0;
  const counted: Metrics & { exposition: () => Promise<string> } = {
    ...metrics,
    flush: () => {
      flushes += 1;
      metrics.flush();
    },
  };
  installDependencies(
    createDependencies(loadSettings({ TOP_SONGS_DATA_DIR: dataDir.path }), undefined, counted),
  );
  return { metrics, flushes: () => flushes };
}

describe('HTTP function metrics', () => {
  it('records latency by route template and status, and server errors, flushing once per invocation', async () => {
    const { metrics, flushes } = await install();
    const answers = [404, 503];
    const fn = httpFunction(async () => ({ statusCode: answers.shift()!, body: { message: 'x' } }));
    const event = await fixture('api-gateway-v2-get-charts.json');
    expect((await invoke<APIGatewayProxyStructuredResultV2>(fn, 'charts-api', event)).statusCode).toBe(404);
    expect(flushes()).toBe(1);
    expect((await invoke<APIGatewayProxyStructuredResultV2>(fn, 'charts-api', event)).statusCode).toBe(503);
    expect(flushes()).toBe(2);

    const values = await samples(metrics);
    const route = event.routeKey as string;
    expect(route).toBe('GET /v1/charts');
    expect(values.get(`top_songs_api_request_duration_seconds_count{route="${route}",status="404"}`)).toBe(1);
    expect(values.get(`top_songs_api_request_duration_seconds_count{route="${route}",status="503"}`)).toBe(1);
    expect(values.get(`top_songs_api_server_errors_total{route="${route}"}`)).toBe(1);
  });

  it('counts the 500 an unexpected error becomes, and still flushes', async () => {
    const { metrics, flushes } = await install();
    const fn = httpFunction(async () => {
      throw new Error('a bug');
    });
    const event = await fixture('api-gateway-v2-post-plays.json');
    const response = await invoke<APIGatewayProxyStructuredResultV2>(fn, 'ingest', event);
    expect(response.statusCode).toBe(500);
    expect(flushes()).toBe(1);
    const values = await samples(metrics);
    expect(
      values.get('top_songs_api_request_duration_seconds_count{route="POST /v1/plays",status="500"}'),
    ).toBe(1);
    expect(values.get('top_songs_api_server_errors_total{route="POST /v1/plays"}')).toBe(1);
  });
});

describe('lake-writer metrics', () => {
  it('counts the rows and files of a batch as the lake holds them, and the batch duration', async () => {
    const { metrics, flushes } = await install();
    const result = await invoke(lakeWriter, 'lake-writer', await fixture('msk-song-plays.json'));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(flushes()).toBe(1);

    // Expected values from the lake itself: files per kind, Parquet rows, reject lines.
    const lake = join(dataDir!.path, 'lake');
    const files = (await readdir(lake, { recursive: true })).filter((path) =>
      /\.(parquet|jsonl)$/.test(path),
    );
    const playFiles = files.filter((path) => path.startsWith('plays/'));
    const rejectFiles = files.filter((path) => path.startsWith('rejects/'));
    const rejectLines = (
      await Promise.all(rejectFiles.map((path) => readFile(join(lake, path), 'utf8')))
    ).flatMap((text) => text.split('\n').filter(Boolean));
    const records = Object.values(
      (await fixture('msk-song-plays.json')).records as Record<string, unknown[]>,
    ).flat();

    const values = await samples(metrics);
    expect(values.get('top_songs_lake_files_written_total{kind="plays"}')).toBe(playFiles.length);
    expect(values.get('top_songs_lake_files_written_total{kind="rejects"}')).toBe(rejectFiles.length);
    expect(values.get('top_songs_lake_rows_written_total{kind="rejects"}')).toBe(rejectLines.length);
    expect(values.get('top_songs_lake_rows_written_total{kind="plays"}')).toBe(
      records.length - rejectLines.length,
    );
    expect(values.get('top_songs_batch_duration_seconds_count{function="lake-writer",outcome="ok"}')).toBe(1);
  });
});
