/**
 * The charts API's answer cache through the real local runtime and real PostgreSQL: a chart written by another
 * process (as the chart jobs are in AWS) is served once the cache window has passed, and never before it
 * started; a chart written in the runtime's own process is served at once; a request naming an ETag gets a 304
 * while the chart is unchanged and the new chart once it changed; every answer carries its Content-Length.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { PostgresChartStore } from '../../src/adapters/postgres/chart-store.ts';
import { type Chart, type ChartWindow, windowContaining } from '../../src/domain/charts.ts';

const CACHE_MS = 400;
const HOUR = 3_600_000;
const regions = ['us', 'gb'];

let runtime: LocalRuntime;
let removeDataDir: () => Promise<void>;
/** A chart store of its own pool: writes the runtime's process does not see happen, like a job in AWS. */
let elsewhere: PostgresChartStore;
let elsewherePool: pg.Pool;

/** One region's chart of `window`: songs with the given plays, ranked by them. */
function chartOf(
  window: ChartWindow,
  region: string,
  plays: readonly number[],
  status: Chart['status'],
): Chart {
  return {
    region,
    period: window.period,
    window_start: window.start,
    window_end: window.end,
    status,
    generated_at: new Date(),
    eligible_plays: plays.reduce((sum, count) => sum + count, 0),
    entries: plays.map((count, index) => ({ rank: index + 1, song_id: `song-${index}`, plays: count })),
  };
}
const chartsOf = (window: ChartWindow, plays: readonly number[], status: Chart['status']) =>
  ['global', ...regions].map((region) => chartOf(window, region, plays, status));

interface Answer {
  readonly status: number;
  readonly etag: string | null;
  readonly eligiblePlays: number | undefined;
  readonly version: number | undefined;
  /** performance.now() when the request was sent. */
  readonly sentAt: number;
}

async function ask(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const sentAt = performance.now();
  const response = await fetch(`${runtime.url}${path}`, { headers });
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status === 200) expect(response.headers.get('content-length')).toBe(String(bytes.length));
  const body =
    response.status === 200
      ? (JSON.parse(bytes.toString()) as { eligible_plays: number; version: number })
      : undefined;
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    eligiblePlays: body?.eligible_plays,
    version: body?.version,
    sentAt,
  };
}

beforeAll(async () => {
  const dir = await makeTempDir('charts-api-cache');
  removeDataDir = dir.remove;
  runtime = await startLocalRuntime({
    env: {
      TOP_SONGS_DATA_DIR: dir.path,
      PORT: '0',
      REGIONS: regions.join(','),
      CHARTS_API_LIVE_CACHE_MS: String(CACHE_MS),
    },
    schedules: false,
  });
  elsewherePool = new pg.Pool({ connectionString: runtime.settings.databaseUrl, max: 1 });
  elsewhere = new PostgresChartStore(elsewherePool, 5_000);
});

afterAll(async () => {
  await elsewherePool?.end();
  await runtime?.stop();
  await removeDataDir?.();
});

const open = () => windowContaining('hour', new Date());
const closed = () => windowContaining('hour', new Date(open().start.getTime() - HOUR));

/**
 * Asks for `path` until it serves `eligiblePlays`, after `write` committed; every answer sent a full cache
 * window after the commit must be the new chart (a cached answer is at most that old, counted from when its
 * read began), and once the new chart was served the old one never comes back.
 */
async function servedAfterWrite(path: string, write: () => Promise<unknown>, eligiblePlays: number) {
  const answers: Answer[] = [];
  await write();
  const committed = performance.now();
  await waitFor(`${path} to serve the chart written elsewhere`, async () => {
    const answer = await ask(path);
    answers.push(answer);
    return answer.eligiblePlays === eligiblePlays ? true : undefined;
  });
  // A few more: the new chart stays.
  for (let more = 0; more < 5; more++) answers.push(await ask(path));
  const stale = answers.filter((answer) => answer.eligiblePlays !== eligiblePlays);
  expect(stale.filter((answer) => answer.sentAt >= committed + CACHE_MS)).toEqual([]);
  const firstNew = answers.findIndex((answer) => answer.eligiblePlays === eligiblePlays);
  expect(answers.slice(firstNew).every((answer) => answer.eligiblePlays === eligiblePlays)).toBe(true);
  expect(answers.every((answer) => answer.status === 200)).toBe(true);
  return answers.at(-1)!;
}

describe('charts API answer cache (real local runtime, real PostgreSQL)', () => {
  it('serves a restated final chart once the cache window has passed, never later, with a new ETag', async () => {
    const window = closed();
    const path = `/v1/charts?region=us&period=hour&start=${window.start.toISOString()}`;
    await elsewhere.replaceWindow(window, chartsOf(window, [9, 5, 2], 'final'));
    const first = await ask(path);
    expect(first).toMatchObject({ status: 200, eligiblePlays: 16, version: 1 });
    // Unchanged: a 304 to a client that holds it, from memory or from the database alike.
    expect((await ask(path, { 'if-none-match': first.etag! })).status).toBe(304);

    const restated = await servedAfterWrite(
      path,
      () => elsewhere.replaceWindow(window, chartsOf(window, [9, 6, 2], 'final')),
      17,
    );
    expect(restated.etag).not.toBe(first.etag);
    // The client holding the old chart gets the restated one, not a 304.
    const revalidated = await ask(path, { 'if-none-match': first.etag! });
    expect(revalidated).toMatchObject({ status: 200, eligiblePlays: 17, version: 2, etag: restated.etag });
  });

  it('serves the re-computed latest (provisional) chart once the cache window has passed', async () => {
    const window = open();
    const path = '/v1/charts?region=gb&period=hour';
    await elsewhere.replaceWindow(window, chartsOf(window, [3, 1], 'provisional'));
    await waitFor('the provisional chart', async () =>
      (await ask(path)).eligiblePlays === 4 ? true : undefined,
    );
    await servedAfterWrite(
      path,
      () => elsewhere.replaceWindow(window, chartsOf(window, [3, 2, 1], 'provisional')),
      6,
    );
  });

  it('serves a chart written in its own process at once (the local runtime runs the chart jobs)', async () => {
    const window = closed();
    const path = `/v1/charts?region=gb&period=hour&start=${window.start.toISOString()}`;
    const store = await runtime.dependencies.chartStore();
    await store.replaceWindow(window, chartsOf(window, [8, 4], 'final'));
    expect((await ask(path)).eligiblePlays).toBe(12);
    await store.replaceWindow(window, chartsOf(window, [8, 4, 1], 'final'));
    expect((await ask(path)).eligiblePlays).toBe(13);
  });
});
