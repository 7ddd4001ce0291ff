/**
 * api: GET /v1/charts through the real local runtime (HTTP server, API Gateway event, middy handler,
 * serveCharts, PostgreSQL) offered a fixed rate by autocannon, against a bare node:http server answering the
 * very same bytes and headers, offered the same rate in the same run. The load generator runs in its own
 * worker thread (autocannon's `workers`), so it does not share the servers' event loop.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { startLocalRuntime } from '../local/runtime.ts';
import { type Chart, type ChartWindow, windowContaining } from '../src/domain/charts.ts';
import { GLOBAL_REGION } from '../src/domain/regions.ts';
import { type BenchOptions, formatNumber, median, printTable, withTempDir } from './harness.ts';

/** The rate the charts API must sustain (issue #13): p99 ≤ 10 ms there. */
const RATE = 2_000;
const CONNECTIONS = 50;
const HOUR = 3_600_000;

interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
}

/** Offers `rate` requests/s to `url` for `seconds`; fails unless every answer was a 200 of `bytes` bytes. */
async function load(url: string, seconds: number, bytes: number): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    overallRate: RATE,
    duration: seconds,
    workers: 1,
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0 || result.requests.total === 0) {
    throw new Error(
      `${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts of ${result.requests.total}`,
    );
  }
  const perResponse = result.throughput.total / result.requests.total;
  if (perResponse < bytes)
    throw new Error(`${url}: ${perResponse.toFixed(0)} bytes a response, expected ${bytes}+`);
  return {
    requestsPerSecond: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/** Ten songs in every region, ranks by plays, for a closed hour (final) and the open one (provisional). */
function chartsOf(window: ChartWindow, regions: readonly string[], status: Chart['status']): Chart[] {
  return [GLOBAL_REGION, ...regions].map((region) => ({
    region,
    period: window.period,
    window_start: window.start,
    window_end: window.end,
    status,
    generated_at: new Date(Math.min(Date.now(), window.end.getTime() + 60_000)),
    eligible_plays: 5_500,
    entries: Array.from({ length: 10 }, (_, index) => ({
      rank: index + 1,
      song_id: `song-${String(index).padStart(6, '0')}`,
      plays: 1_000 - index * 10,
    })),
  }));
}

async function bareServer(status: number, headers: Record<string, string>, body: Buffer): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(status, headers);
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const ms = (value: number) => `${value < 10 ? value.toFixed(1) : formatNumber(value)} ms`;

export async function run(options: BenchOptions): Promise<void> {
  const seconds = options.quick ? 4 : 10;
  const rounds = options.quick ? 2 : 3;
  await withTempDir('api', async (dataDir) => {
    const runtime = await startLocalRuntime({
      env: { TOP_SONGS_DATA_DIR: dataDir, PORT: '0' },
      schedules: false,
    });
    try {
      const store = await runtime.dependencies.chartStore();
      await store.upsertSongs(
        Array.from({ length: 10 }, (_, index) => ({
          song_id: `song-${String(index).padStart(6, '0')}`,
          title: `Title ${index}`,
          artist: `Artist ${index}`,
          genre: 'pop',
        })),
      );
      const open = windowContaining('hour', new Date());
      const closed = windowContaining('hour', new Date(open.start.getTime() - HOUR));
      await store.replaceWindow(closed, chartsOf(closed, runtime.settings.regions, 'final'));
      await store.replaceWindow(open, chartsOf(open, runtime.settings.regions, 'provisional'));
      const region = runtime.settings.regions[0] ?? GLOBAL_REGION;
      const cases = [
        {
          name: 'final hour (start given)',
          path: `/v1/charts?region=${region}&period=hour&start=${closed.start.toISOString()}`,
        },
        { name: 'latest hour (provisional)', path: `/v1/charts?region=${region}&period=hour` },
      ];
      const rows = [];
      for (const { name, path } of cases) {
        // The bare server answers what the runtime answers: same status, headers and bytes.
        const sample = await fetch(`${runtime.url}${path}`);
        const body = Buffer.from(await sample.arrayBuffer());
        if (sample.status !== 200) throw new Error(`${path} answered ${sample.status}: ${body.toString()}`);
        const headers: Record<string, string> = {};
        sample.headers.forEach((value, key) => {
          if (!['date', 'connection', 'keep-alive', 'transfer-encoding', 'apigw-requestid'].includes(key))
            headers[key] = value;
        });
        headers['content-length'] = String(body.length);
        const bare = await bareServer(200, headers, body);
        const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}${path}`;
        try {
          const samples: { runtime: LoadResult[]; bare: LoadResult[] } = { runtime: [], bare: [] };
          // A short warm-up of each, then interleaved rounds so drift on the machine hits both alike.
          await load(`${runtime.url}${path}`, 2, body.length);
          await load(bareUrl, 2, body.length);
          for (let round = 0; round < rounds; round++) {
            samples.runtime.push(await load(`${runtime.url}${path}`, seconds, body.length));
            samples.bare.push(await load(bareUrl, seconds, body.length));
          }
          const summary = (results: LoadResult[]) => ({
            rate: median(results.map((result) => result.requestsPerSecond)),
            p50: median(results.map((result) => result.p50)),
            p99: median(results.map((result) => result.p99)),
            worstP99: Math.max(...results.map((result) => result.p99)),
          });
          const figure = summary(samples.runtime);
          const baseline = summary(samples.bare);
          rows.push({
            name: `${name}, ${body.length} B`,
            figure: `${formatNumber(figure.rate)} req/s, p50 ${ms(figure.p50)}, p99 ${ms(figure.p99)} (worst ${ms(figure.worstP99)})`,
            baseline: `${formatNumber(baseline.rate)} req/s, p50 ${ms(baseline.p50)}, p99 ${ms(baseline.p99)}`,
            ratio: `${(figure.rate / baseline.rate).toFixed(2)}×`,
          });
        } finally {
          await new Promise((resolve) => bare.close(resolve));
        }
      }
      printTable(
        `api: GET /v1/charts offered ${formatNumber(RATE)} requests/s for ${seconds} s, ${CONNECTIONS} connections (autocannon)`,
        [
          'figure:   the local runtime: HTTP server → API Gateway v2 event → middy charts-api handler → serveCharts',
          '          → PostgreSQL (embedded), every answer checked to be a 200 of the full body',
          'baseline: a bare node:http server answering the same status, headers and bytes, same rate, same run',
          `ratio:    figure ÷ baseline requests served per second; medians of ${rounds} interleaved rounds after a`,
          '          2 s warm-up of each; latencies corrected for coordinated omission (autocannon with overallRate)',
        ],
        rows,
      );
    } finally {
      await runtime.stop();
    }
  });
}
