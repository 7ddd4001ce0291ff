import { describe, expect, it } from 'vitest';
import type { PreparedJson } from '../../../src/domain/http/conditional.ts';
import type { HttpRequest } from '../../../src/domain/http/http.ts';
import type { ServedChart } from '../../../src/ports/chart-store.ts';
import { StoreUnavailableError } from '../../../src/ports/chart-store.ts';
import { AnswerCache, type ReadAnswer } from '../../../src/use-cases/charts-api/answer-cache.ts';
import { serveCharts } from '../../../src/use-cases/serve-charts.ts';
import { fakeChartStore, get } from '../support/fake-chart-store.ts';

/** A cache on a clock the test moves, over a store revision it bumps, counting the revision reads. */
function cacheOf(ttlMs: number, maxEntries = 100, revisionMaxAgeMs = 0) {
  const state = { now: 0, revision: 0, revisionReads: 0 };
  const cache = new AnswerCache<string | undefined>({
    ttlMs,
    maxEntries,
    revisionMaxAgeMs,
    now: () => state.now,
    revision: async () => {
      state.revisionReads++;
      return String(state.revision);
    },
  });
  return { cache, state };
}

/** A read that counts its calls and answers `name#call`, kept as `kept` says. */
function counted(name: string, kept: ReadAnswer<string>['kept'] = 'store') {
  const calls = { count: 0 };
  const read = async (): Promise<ReadAnswer<string>> => ({ value: `${name}#${++calls.count}`, kept });
  return { read, calls };
}

describe('AnswerCache', () => {
  it('serves an answer of the store within the TTL while the revision stays, and reads again after', async () => {
    const { cache, state } = cacheOf(2_000);
    const { read, calls } = counted('a');
    expect(await cache.get('a', read)).toBe('a#1');
    state.now = 1_999;
    expect(await cache.get('a', read)).toBe('a#1');
    state.now = 2_000;
    expect(await cache.get('a', read)).toBe('a#2');
    expect(calls.count).toBe(2);
  });

  it('reads again at once when the revision moved (any process wrote charts or songs)', async () => {
    for (const kept of ['store', 'lasting'] as const) {
      const { cache, state } = cacheOf(60_000);
      const { read } = counted('a', kept);
      expect(await cache.get('a', read), kept).toBe('a#1');
      expect(await cache.get('a', read), kept).toBe('a#1');
      state.revision++;
      expect(await cache.get('a', read), kept).toBe('a#2');
      expect(await cache.get('a', read), kept).toBe('a#2');
    }
  });

  it('with revisionMaxAgeMs, a write elsewhere is served once that long has passed; a write of its own at once', async () => {
    const { cache, state } = cacheOf(60_000, 100, 250);
    const { read } = counted('a', 'lasting');
    expect(await cache.get('a', read)).toBe('a#1');
    state.revision++;
    state.now = 249;
    // Within the bound the revision read at 0 still vouches for the kept answer: one query per 250 ms.
    expect(await cache.get('a', read)).toBe('a#1');
    expect(state.revisionReads).toBe(1);
    state.now = 250;
    expect(await cache.get('a', read)).toBe('a#2');
    state.revision++;
    cache.revisionMoved();
    expect(await cache.get('a', read)).toBe('a#3');
  });

  it('keeps a lasting answer past the TTL until the revision moves', async () => {
    const { cache, state } = cacheOf(2_000);
    const { read, calls } = counted('a', 'lasting');
    expect(await cache.get('a', read)).toBe('a#1');
    state.now = 3_600_000;
    expect(await cache.get('a', read)).toBe('a#1');
    state.revision++;
    expect(await cache.get('a', read)).toBe('a#2');
    expect(calls.count).toBe(2);
  });

  it('never serves a read begun before a write committed to a request that arrived after the commit', async () => {
    const { cache, state } = cacheOf(60_000);
    const data = { value: 'old' };
    const slow = Promise.withResolvers<void>();
    let reads = 0;
    const read = async (): Promise<ReadAnswer<string>> => {
      reads++;
      const value = data.value;
      if (reads === 1) await slow.promise;
      return { value, kept: 'lasting' };
    };
    const early = cache.get('a', read);
    // Let the first read take its snapshot of the old data; then the write commits, revision and data at once.
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(1);
    data.value = 'new';
    state.revision++;
    const late = cache.get('a', read);
    slow.resolve();
    expect(await early).toBe('old');
    expect(await late).toBe('new');
    expect(await cache.get('a', read)).toBe('new');
    expect(reads).toBe(2);
  });

  it('keeps each key apart', async () => {
    const { cache } = cacheOf(60_000);
    const a = counted('a');
    const b = counted('b');
    expect(await cache.get('a', a.read)).toBe('a#1');
    expect(await cache.get('b', b.read)).toBe('b#1');
    expect(await cache.get('a', a.read)).toBe('a#1');
    expect([a.calls.count, b.calls.count]).toEqual([1, 1]);
  });

  it('shares one read among concurrent requests', async () => {
    const { cache } = cacheOf(60_000);
    const answer = Promise.withResolvers<ReadAnswer<string>>();
    let reads = 0;
    const read = () => {
      reads++;
      return answer.promise;
    };
    const waiting = [cache.get('a', read), cache.get('a', read), cache.get('a', read)];
    answer.resolve({ value: 'a', kept: 'lasting' });
    expect(await Promise.all(waiting)).toEqual(['a', 'a', 'a']);
    expect(reads).toBe(1);
  });

  it('keeps no failed read, nor one whose revision could not be read: the next request reads again', async () => {
    const { cache } = cacheOf(60_000);
    const failing = () => Promise.reject(new StoreUnavailableError('down'));
    await expect(cache.get('a', failing)).rejects.toThrow('down');
    const { read } = counted('a');
    expect(await cache.get('a', read)).toBe('a#1');

    let storeUp = false;
    const flaky = new AnswerCache<string>({
      ttlMs: 60_000,
      maxEntries: 10,
      revision: async () => {
        if (!storeUp) throw new StoreUnavailableError('down');
        return '1';
      },
    });
    const other = counted('b', 'lasting');
    await expect(flaky.get('b', other.read)).rejects.toThrow('down');
    expect(other.calls.count).toBe(0);
    storeUp = true;
    expect(await flaky.get('b', other.read)).toBe('b#1');
  });

  it('keeps at most maxEntries, dropping the one read longest ago', async () => {
    const { cache } = cacheOf(60_000, 2);
    const a = counted('a');
    await cache.get('a', a.read);
    await cache.get('b', counted('b').read);
    await cache.get('c', counted('c').read);
    expect(cache.size).toBe(2);
    expect(await cache.get('a', a.read)).toBe('a#2');
  });

  it('keeps nothing with a TTL of 0', async () => {
    const { cache } = cacheOf(0);
    const { read } = counted('a', 'lasting');
    await cache.get('a', read);
    expect(await cache.get('a', read)).toBe('a#2');
    expect(cache.size).toBe(0);
  });
});

const finalHour: ServedChart = {
  region: 'us',
  period: 'hour',
  window_start: new Date('2026-11-20T10:00:00Z'),
  window_end: new Date('2026-11-20T11:00:00Z'),
  status: 'final',
  generated_at: new Date('2026-11-20T11:06:00Z'),
  eligible_plays: 2,
  version: 1,
  restated_at: null,
  entries: [
    {
      rank: 1,
      song_id: 'song-1',
      title: 'One',
      artist: 'A',
      genre: 'pop',
      plays: 2,
      previous_rank: null,
      movement: 'new',
      peak_rank: 1,
      periods_on_chart: 1,
    },
  ],
};
/** The same window restated: another play arrived late, the chart was computed again. */
const restated: ServedChart = {
  ...finalHour,
  generated_at: new Date('2026-11-20T12:00:00Z'),
  eligible_plays: 3,
  version: 2,
  restated_at: new Date('2026-11-20T12:00:00Z'),
  entries: [{ ...finalHour.entries[0]!, plays: 3 }],
};

describe('serveCharts with an answer cache', () => {
  const setup = () => {
    const charts: ServedChart[] = [finalHour, { ...finalHour, region: 'gb' }];
    const fake = fakeChartStore(charts);
    const state = { now: 0, revision: 0 };
    const cache = new AnswerCache<PreparedJson | undefined>({
      ttlMs: 2_000,
      maxEntries: 100,
      now: () => state.now,
      revision: async () => String(state.revision),
    });
    const serve = (request: HttpRequest) =>
      serveCharts(request, {
        charts: fake.store,
        regions: ['us', 'gb'],
        clock: () => new Date('2026-11-20T13:00:00Z'),
        // No live tallies: every chart is the chart jobs' (the live chart has its own tests).
        live: { liveTally: async () => undefined },
        apiDocument: () => ({}),
        answers: cache,
      });
    return { charts, reads: fake.reads, serve, state };
  };
  const at = (region: string) => get('/v1/charts', { region, period: 'hour', start: '2026-11-20T10:00:00Z' });
  const chartReads = (reads: unknown[]) =>
    reads.filter((read) => (read as { findChart?: unknown }).findChart).length;

  it('reads a chart once for many requests, each region apart, with the same bytes and ETag', async () => {
    const { reads, serve } = setup();
    const first = await serve(at('us'));
    const second = await serve(at('us'));
    expect(second).toEqual(first);
    expect(first.json).toBe(JSON.stringify(first.body));
    expect(first.headers?.['cache-control']).toBe('public, no-cache');
    expect(chartReads(reads)).toBe(1);
    const gb = await serve(at('gb'));
    expect((gb.body as { region: string }).region).toBe('gb');
    expect(chartReads(reads)).toBe(2);
    // Another key altogether: the latest chart is not the chart of a given start.
    await serve(get('/v1/charts', { region: 'us', period: 'hour' }));
    expect(chartReads(reads)).toBe(3);
  });

  it('answers 304 from memory to a request naming the current ETag, without a read', async () => {
    const { reads, serve } = setup();
    const first = await serve(at('us'));
    const again = await serve({ ...at('us'), headers: { 'if-none-match': first.headers?.etag } });
    expect(again).toEqual({ statusCode: 304, body: undefined, headers: first.headers });
    expect(chartReads(reads)).toBe(1);
  });

  it('serves a restated chart, with a new ETag, from the first request after its commit', async () => {
    const { charts, reads, serve, state } = setup();
    const before = await serve(at('us'));
    // Long past the TTL, a final chart of a given window is still served from memory: the revision stayed.
    state.now = 3_600_000;
    expect(await serve(at('us'))).toEqual(before);
    expect(chartReads(reads)).toBe(1);
    charts[0] = restated;
    state.revision++;
    const after = await serve({ ...at('us'), headers: { 'if-none-match': before.headers?.etag } });
    expect(after.statusCode).toBe(200);
    expect(after.body).toMatchObject({ eligible_plays: 3, version: 2 });
    expect(after.headers?.etag).not.toBe(before.headers?.etag);
    expect(after.headers?.['cache-control']).toBe('public, no-cache');
  });

  it('answers 404 for a window without a chart, and 400 for bad parameters without a read', async () => {
    const { reads, serve } = setup();
    const missing = await serve(
      get('/v1/charts', { region: 'us', period: 'hour', start: '2026-11-20T09:00:00Z' }),
    );
    expect(missing.statusCode).toBe(404);
    const bad = await serve(get('/v1/charts', { region: 'us', period: 'week' }));
    expect(bad.statusCode).toBe(400);
    expect(chartReads(reads)).toBe(1);
  });
});
