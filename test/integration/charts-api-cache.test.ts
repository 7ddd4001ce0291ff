/**
 * The charts API's answer cache through the real local runtime and real PostgreSQL: a chart written by another
 * process (as the chart jobs are in AWS) or by the runtime's own is served from the first request that arrives
 * CHARTS_API_REVISION_MAX_AGE_MS after its commit, never the one it replaced after that, with a new ETag; a request naming the old ETag gets the new chart, not a
 * 304; an unchanged chart is a 304; every answer carries its Content-Length.
 */
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { PostgresChartStore } from '../../src/adapters/postgres/chart-store.ts';
import { type Chart, type ChartWindow, windowContaining } from '../../src/domain/charts.ts';

const CACHE_MS = 400;
/** The contract's bound: a kept answer may be served this long after a write elsewhere, not longer. */
const REVISION_MAX_AGE_MS = 150;
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
      CHARTS_API_REVISION_MAX_AGE_MS: String(REVISION_MAX_AGE_MS),
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
 * `path` answered before and after `write` committed: the first request arriving the contract's bound after the
 * commit has it (the wait is that bound, not a guess at readiness: any request later than it must be served new).
 */
async function servedAfterWrite(path: string, write: () => Promise<unknown>, eligiblePlays: number) {
  const before = await ask(path);
  expect(before.status).toBe(200);
  expect(before.eligiblePlays).not.toBe(eligiblePlays);
  await write();
  await delay(REVISION_MAX_AGE_MS);
  const after = await ask(path);
  expect(after).toMatchObject({ status: 200, eligiblePlays });
  expect(after.etag).not.toBe(before.etag);
  // The old chart never comes back.
  for (let more = 0; more < 5; more++) expect((await ask(path)).eligiblePlays).toBe(eligiblePlays);
  return { before, after };
}

describe('charts API answer cache (real local runtime, real PostgreSQL)', () => {
  it('serves a final chart restated by another process from the first request after the commit', async () => {
    const window = closed();
    const path = `/v1/charts?region=us&period=hour&start=${window.start.toISOString()}`;
    await elsewhere.replaceWindow(window, chartsOf(window, [9, 5, 2], 'final'));
    const first = await ask(path);
    expect(first).toMatchObject({ status: 200, eligiblePlays: 16, version: 1 });
    // Unchanged: a 304 to a client that holds it, which revalidates before every use.
    const unchanged = await fetch(`${runtime.url}${path}`, { headers: { 'if-none-match': first.etag! } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('cache-control')).toBe('public, no-cache');

    const { after } = await servedAfterWrite(
      path,
      () => elsewhere.replaceWindow(window, chartsOf(window, [9, 6, 2], 'final')),
      17,
    );
    expect(after.version).toBe(2);
    // The client holding the old chart gets the restated one, not a 304.
    const revalidated = await ask(path, { 'if-none-match': first.etag! });
    expect(revalidated).toMatchObject({ status: 200, eligiblePlays: 17, version: 2, etag: after.etag });
  });

  it('serves the re-computed latest (provisional) chart from the first request after the commit', async () => {
    const window = open();
    const path = '/v1/charts?region=gb&period=hour';
    await elsewhere.replaceWindow(window, chartsOf(window, [3, 1], 'provisional'));
    await servedAfterWrite(
      path,
      () => elsewhere.replaceWindow(window, chartsOf(window, [3, 2, 1], 'provisional')),
      6,
    );
  });

  it("serves a final chart whose song's title the catalog learned, from the first request the bound after it", async () => {
    const window = closed();
    const path = `/v1/charts?region=us&period=hour&start=${window.start.toISOString()}`;
    await elsewhere.replaceWindow(window, chartsOf(window, [4, 3], 'final'));
    const before = await ask(path);
    await elsewhere.upsertSongs([
      { song_id: 'song-0', title: `Retitled ${Date.now()}`, artist: 'A', genre: 'pop' },
    ]);
    await delay(REVISION_MAX_AGE_MS);
    const after = await ask(path);
    expect(after.status).toBe(200);
    expect(after.etag).not.toBe(before.etag);
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
