/**
 * The smoke test of a deployed stack on a LocalStack-compatible emulator: plays posted to the deployed
 * ingest endpoint must reach the stream, the lake (through the Kinesis event source and lake-writer) and,
 * once chart-hourly is invoked for their hour, the charts that the deployed charts-api serves, with
 * exactly the counts computed in smoke-plays.ts. Every step names what it waited for when it fails.
 */
import { InvokeCommand, LambdaClient, ListFunctionsCommand, ListTagsCommand } from '@aws-sdk/client-lambda';
import { waitFor } from '../../devkit/wait-for.ts';
import { sqlList, withDuckDb } from '../../src/adapters/duckdb/duckdb.ts';
import { withScratchDir } from '../../src/adapters/scratch-dir.ts';
import { generateApiKey } from '../../src/domain/api-keys.ts';
import type { CatalogMetadata } from '../../src/domain/catalog.ts';
import { LATE_PLAY_GRACE_MS } from '../../src/domain/charts.ts';
import { hourPartitionPrefix } from '../../src/domain/lake-layout.ts';
import { describeCatalog } from '../../src/use-cases/catalog-in-lake.ts';
import { callDeployedApi, type HttpAnswer } from './emulator-http.ts';
import { waitForCatalog, withDeployedLake } from './smoke-catalog.ts';
import { pipelineProblem } from './smoke-pipeline.ts';
import { type ExpectedEntry, smokePlays } from './smoke-plays.ts';

/** The stack outputs the smoke test needs (`cdk deploy --outputs-file`). */
export interface DeployedStack {
  readonly stackName: string;
  readonly apiUrl: string;
  readonly lakeBucket: string;
}

export interface SmokeOptions {
  /** The emulator's endpoint, e.g. http://127.0.0.1:4566. */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly say: (line: string) => void;
  /** A key in use for POST /v1/plays in the deployed database. */
  readonly apiKey: string;
  /** How long plays may take from ingest to the lake (cold starts included). */
  readonly lakeTimeoutMs?: number;
}

export interface ChartAnswer {
  readonly status: string;
  readonly eligible_plays: number;
  readonly entries: readonly ExpectedEntry[];
}

export interface SmokeReport {
  /** What the catalog written after the deploy says of itself. */
  readonly catalog: Pick<CatalogMetadata, 'source' | 'model' | 'songs'>;
  readonly hour: string;
  readonly accepted: number;
  readonly lakeRows: number;
  readonly charts: Readonly<Record<string, ChartAnswer>>;
}

export class SmokeTestError extends Error {
  override name = 'SmokeTestError';
}

const FUNCTION_TAG = 'top-songs:function';
const HOUR_MS = 3_600_000;

export async function smokeTest(stack: DeployedStack, options: SmokeOptions): Promise<SmokeReport> {
  const api = (method: 'GET' | 'POST', path: string, body?: unknown, headers?: Record<string, string>) =>
    callDeployedApi(stack.apiUrl, options.endpoint, method, path, body, headers);
  const { say } = options;

  const regions = await api('GET', '/v1/regions');
  if (regions.status !== 200)
    throw new SmokeTestError(`GET /v1/regions answered ${regions.status}: ${regions.body}`);
  say(`smoke: GET /v1/regions → 200 ${regions.body}`);

  const catalog = await waitForCatalog(stack, options);
  say(`smoke: the catalog after the deploy: ${describeCatalog(catalog)}`);

  const hour = await unchartedHour((start) => api('GET', chartPath('us', start)));
  const plays = smokePlays(hour);
  await expectRefused(api, { events: plays.events }, say);
  const posted = await api('POST', '/v1/plays', { events: plays.events }, bearer(options.apiKey));
  const answer = JSON.parse(posted.body || '{}') as { accepted?: number; rejected?: { index: number }[] };
  if (
    posted.status !== 202 ||
    answer.accepted !== plays.validEventIds.length ||
    JSON.stringify(answer.rejected?.map((rejected) => rejected.index)) !==
      JSON.stringify([plays.invalidIndex])
  ) {
    throw new SmokeTestError(
      `POST /v1/plays answered ${posted.status} ${posted.body}; expected 202 with ${plays.validEventIds.length} accepted and index ${plays.invalidIndex} rejected`,
    );
  }
  say(`smoke: POST /v1/plays → 202, ${answer.accepted} accepted, 1 rejected (hour ${hour.toISOString()})`);

  const lakeRows = await waitForLakeRows(stack, options, hour, plays.validEventIds);
  say(`smoke: ${lakeRows} rows in s3://${stack.lakeBucket}/${hourPartitionPrefix(hour)}, each play once`);

  await invokeFunction(
    stack.stackName,
    'chart-hourly',
    { period: 'hour', window_start: hour.toISOString() },
    options,
  );
  say('smoke: invoked chart-hourly for the hour');

  const charts: Record<string, ChartAnswer> = {};
  for (const region of Object.keys(plays.expected)) {
    const chart = await api('GET', chartPath(region, hour));
    if (chart.status !== 200)
      throw new SmokeTestError(`GET ${chartPath(region, hour)} answered ${chart.status}: ${chart.body}`);
    const body = JSON.parse(chart.body) as ChartAnswer;
    charts[region] = {
      status: body.status,
      eligible_plays: body.eligible_plays,
      entries: body.entries.map(({ rank, song_id, plays: count }) => ({ rank, song_id, plays: count })),
    };
    if (JSON.stringify(charts[region].entries) !== JSON.stringify(plays.expected[region])) {
      throw new SmokeTestError(
        `the ${region} chart differs from the expected one:\n  got      ${JSON.stringify(charts[region].entries)}\n  expected ${JSON.stringify(plays.expected[region])}`,
      );
    }
    say(`smoke: GET /v1/charts ${region} → ${body.status}, top ${body.entries.length} as expected`);
  }
  await expectHistory(api, hour, plays.expected.us?.[0]?.song_id, say);
  const short = plays.events.filter(
    (event, index) => index !== plays.invalidIndex && Number(event.ms_played) < 30_000,
  ).length;
  const problem = await pipelineProblem((path) => api('GET', path), hour, {
    accepted: plays.validEventIds.length,
    short,
    rejected: 1,
  });
  if (problem) throw new SmokeTestError(problem);
  say('smoke: GET /v1/pipeline: the hour reconciles with exactly what was sent');
  return {
    catalog: { source: catalog.source, model: catalog.model, songs: catalog.songs },
    hour: hour.toISOString(),
    accepted: answer.accepted,
    lakeRows,
    charts,
  };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/**
 * The deployed authorizer guards POST /v1/plays: without a key API Gateway answers 401 without asking it,
 * with a key not in use the authorizer refuses (403). Neither may reach ingest.
 */
async function expectRefused(
  api: (method: 'POST', path: string, body: unknown, headers?: Record<string, string>) => Promise<HttpAnswer>,
  body: unknown,
  say: (line: string) => void,
): Promise<void> {
  const anonymous = await api('POST', '/v1/plays', body);
  const wrongKey = await api('POST', '/v1/plays', body, bearer(generateApiKey().key));
  if (anonymous.status !== 401 || wrongKey.status !== 403) {
    throw new SmokeTestError(
      `POST /v1/plays without a key answered ${anonymous.status} ${anonymous.body}, with a key not in use ${wrongKey.status} ${wrongKey.body}; expected 401 and 403 from the API key authorizer`,
    );
  }
  say('smoke: POST /v1/plays → 401 without a key, 403 with a key not in use');
}

/**
 * The chart history routes through the deployed API Gateway: the window list pages back to the smoke hour,
 * a final chart carries an ETag that a conditional GET answers with 304, and the leading song has a history.
 */
async function expectHistory(
  api: (method: 'GET', path: string, body?: unknown, headers?: Record<string, string>) => Promise<HttpAnswer>,
  hour: Date,
  leader: string | undefined,
  say: (line: string) => void,
): Promise<void> {
  const before = encodeURIComponent(new Date(hour.getTime() + HOUR_MS).toISOString());
  const windows = await api('GET', `/v1/charts/windows?region=us&period=hour&before=${before}&limit=1`);
  const first = windows.status === 200 ? JSON.parse(windows.body).windows?.[0] : undefined;
  if (first?.window_start !== hour.toISOString() || first?.status !== 'final') {
    throw new SmokeTestError(
      `GET /v1/charts/windows answered ${windows.status} ${windows.body}; expected the final hour ${hour.toISOString()} first`,
    );
  }
  const chart = await api('GET', chartPath('us', hour));
  const etag = chart.headers.etag;
  const again =
    typeof etag === 'string'
      ? await api('GET', chartPath('us', hour), undefined, { 'if-none-match': etag })
      : undefined;
  // A final chart of a given hour: kept by caches, revalidated before each use (docs/contracts.md, "Caching").
  if (again?.status !== 304 || !/\bno-cache\b/.test(String(chart.headers['cache-control']))) {
    throw new SmokeTestError(
      `GET /v1/charts answered ETag ${String(etag)}, Cache-Control ${String(chart.headers['cache-control'])}, and ${again?.status ?? 'nothing'} to If-None-Match; expected an ETag, no-cache and 304`,
    );
  }
  if (!leader) throw new SmokeTestError('the smoke plays name no leading song in us');
  const song = await api('GET', `/v1/songs/${encodeURIComponent(leader)}?period=hour&region=us`);
  const body = song.status === 200 ? JSON.parse(song.body) : undefined;
  if (body?.song_id !== leader || !Array.isArray(body?.regions)) {
    throw new SmokeTestError(
      `GET /v1/songs/${leader} answered ${song.status} ${song.body}; expected its history`,
    );
  }
  say(
    'smoke: GET /v1/charts/windows, a conditional GET /v1/charts (304) and GET /v1/songs/{song_id} as expected',
  );
}

function chartPath(region: string, start: Date): string {
  return `/v1/charts?region=${region}&period=hour&start=${encodeURIComponent(start.toISOString())}`;
}

/**
 * A closed hour of the last 20 days that has no chart yet (404), so that this run's plays are the only
 * ones in it, however often the smoke test runs against the same deployment.
 */
async function unchartedHour(
  getChart: (start: Date) => Promise<{ status: number; body: string }>,
): Promise<Date> {
  // Past its grace for late plays too (docs/contracts.md, "Restatements"), so that its chart is final.
  const latestClosed = Math.floor((Date.now() - LATE_PLAY_GRACE_MS) / HOUR_MS) * HOUR_MS - HOUR_MS;
  for (let attempt = 0; attempt < 10; attempt++) {
    const hour = new Date(latestClosed - Math.floor(Math.random() * 20 * 24) * HOUR_MS);
    const chart = await getChart(hour);
    if (chart.status === 404) return hour;
    if (chart.status !== 200)
      throw new SmokeTestError(
        `GET /v1/charts answered ${chart.status}: ${chart.body} (is the database reachable?)`,
      );
  }
  throw new SmokeTestError('found no uncharted hour in the last 20 days after 10 tries');
}

/** Waits until the hour's partition holds every accepted play; fails on a play stored twice. */
async function waitForLakeRows(
  stack: DeployedStack,
  options: SmokeOptions,
  hour: Date,
  eventIds: readonly string[],
): Promise<number> {
  const wanted = new Set(eventIds);
  return withDeployedLake(stack, options, (lake) =>
    waitFor(
      `the ${eventIds.length} accepted plays in s3://${stack.lakeBucket}/${hourPartitionPrefix(hour)}`,
      async () => {
        const keys = (await lake.list(hourPartitionPrefix(hour))).filter((key) => key.endsWith('.parquet'));
        if (keys.length === 0) return undefined;
        const ids = await withScratchDir(async (dir) => {
          const files = await lake.localCopies(keys, dir);
          return withDuckDb(async (connection) => {
            const reader = await connection.runAndReadAll(
              `SELECT event_id FROM read_parquet(${sqlList(files)})`,
            );
            return reader.getRowObjectsJS().map((row) => String(row.event_id));
          });
        });
        const ours = ids.filter((id) => wanted.has(id));
        if (new Set(ours).size !== ours.length)
          throw new SmokeTestError(
            `a play is stored twice: ${ours.length} rows for ${new Set(ours).size} plays`,
          );
        return ours.length === wanted.size ? ours.length : undefined;
      },
      options.lakeTimeoutMs ?? 180_000,
      1_000,
    ),
  );
}

/** Invokes the deployed function of a topology declaration (found by its tag) and fails on a function error. */
async function invokeFunction(
  stackName: string,
  name: string,
  payload: unknown,
  options: SmokeOptions,
): Promise<void> {
  const lambda = new LambdaClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
  });
  try {
    const listed = await lambda.send(new ListFunctionsCommand({}));
    let arn: string | undefined;
    for (const fn of listed.Functions ?? []) {
      if (!fn.FunctionName?.startsWith(stackName) || !fn.FunctionArn) continue;
      const { Tags } = await lambda.send(new ListTagsCommand({ Resource: fn.FunctionArn }));
      if (Tags?.[FUNCTION_TAG] === name) arn = fn.FunctionArn;
    }
    if (!arn) throw new SmokeTestError(`no function of ${stackName} carries the tag ${FUNCTION_TAG}=${name}`);
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: arn, Payload: Buffer.from(JSON.stringify(payload)) }),
    );
    const output = Buffer.from(result.Payload ?? []).toString('utf8');
    if (result.FunctionError) throw new SmokeTestError(`${name} failed: ${output}`);
  } finally {
    lambda.destroy();
  }
}
