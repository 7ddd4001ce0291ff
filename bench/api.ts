/**
 * api: GET /v1/charts through the real local runtime (HTTP server, API Gateway event, middy handler,
 * serveCharts, PostgreSQL) offered an evenly paced fixed rate (bench/paced-load.ts), against a bare node:http server answering the
 * very same bytes and headers, offered the same rate in the same run. The load generator is a process of its
 * own (bench/api-load.ts); with taskset and two cores or more it runs on the last core and this process (the
 * runtime, its embedded PostgreSQL and the bare server) on the others, so that neither side's tail is the
 * other's. Besides the client's latencies, each server's own are recorded: from the request's arrival (its
 * head parsed) to the end of its response, and this process's CPU time per request. The first run after the
 * runtime started is its start-up's (its first major collection under load is the longest): shown apart from the
 * rounds, whose p99 is given per round, as their median, and over all their requests pooled.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { constants, createHistogram, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { startScriptNodeFlags } from '../devkit/local-process.ts';
import { startLocalRuntime } from '../local/runtime.ts';
import { type Chart, type ChartWindow, windowContaining } from '../src/domain/charts.ts';
import { GLOBAL_REGION } from '../src/domain/regions.ts';
import { type BenchOptions, formatNumber, median, printTable, withTempDir } from './harness.ts';
import { type LoadReport, type LoadSpec, percentile } from './paced-load.ts';

/** The rate the charts API must sustain (issue #13): p99 ≤ 10 ms there. */
const RATE = 2_000;
const CONNECTIONS = 50;
/** Seconds of load before each measured run, in the same generator process (bench/paced-load.ts). */
const WARMUP = 2;
const HOUR = 3_600_000;
const LOADER = new URL('./api-load.ts', import.meta.url).pathname;

interface LoadResult {
  readonly requestsPerSecond: number;
  /** The client's latencies (ms). */
  readonly p50: number;
  readonly p99: number;
  /** Every measured request's latency (ms): the rounds' p99 pooled over all their requests. */
  readonly latencies: readonly number[];
  /** The load generator's own lateness (ms), p99: how late it handed requests to node:http. */
  readonly lagP99: number;
  /** The server's own (ms): arrival to the end of the response. */
  readonly serverP50: number;
  readonly serverP99: number;
  /** This process's CPU time (user + system) per request, µs. */
  readonly cpuPerRequest: number;
  /** How late this process's event loop ran (ms), p99 and max: a stall the servers' own figures cannot see. */
  readonly loopDelayP99: number;
  readonly loopDelayMax: number;
  /** This process's major collections (Mark-Compact) during the measured part: how many, the longest pause (ms). */
  readonly majorGcs: number;
  readonly majorGcMax: number;
}

/** Records this process's major collections while enabled: their atomic pauses (not the incremental steps). */
function majorCollections() {
  const pauses: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as { duration: number; detail?: unknown }[]) {
      if ((entry.detail as { kind?: number } | undefined)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
        pauses.push(entry.duration);
    }
  });
  return {
    enable: () => observer.observe({ entryTypes: ['gc'] }),
    disable: () => observer.disconnect(),
    count: () => pauses.length,
    max: () => Math.max(0, ...pauses),
  };
}

/**
 * Where the load generator and the servers run: with taskset and two or more cores, the generator on the last
 * core and this process (and what it starts from now on: the embedded PostgreSQL) on the others.
 */
interface Placement {
  readonly pinned: boolean;
  readonly describe: string;
  command(args: readonly string[]): { file: string; args: string[] };
  restore(): void;
}

function placement(): Placement {
  const cores = availableParallelism();
  const unpinned: Placement = {
    pinned: false,
    describe:
      'not pinned (BENCH_API_PLACEMENT=shared, taskset missing or one core): generator and servers share the cores',
    command: (args) => ({ file: process.execPath, args: [...args] }),
    restore: () => {},
  };
  // BENCH_API_PLACEMENT=shared: no pinning, for comparison on a quiet machine (docs/benchmarks.md, section api).
  if (cores < 2 || process.env.BENCH_API_PLACEMENT === 'shared') return unpinned;
  try {
    // -a: every thread of this process (V8's and libuv's too), not only the main one.
    execFileSync('taskset', ['-a', '-p', '-c', `0-${cores - 2}`, String(process.pid)], { stdio: 'ignore' });
  } catch {
    return unpinned;
  }
  return {
    pinned: true,
    describe: `pinned: the load generator on core ${cores - 1}, the servers and PostgreSQL on cores 0-${cores - 2}`,
    command: (args) => ({ file: 'taskset', args: ['-c', String(cores - 1), process.execPath, ...args] }),
    restore: () =>
      execFileSync('taskset', ['-a', '-p', '-c', `0-${cores - 1}`, String(process.pid)], { stdio: 'ignore' }),
  };
}

/** The server's own latency of each request: from its arrival to the end of its response. */
function serverLatency(server: Server) {
  const histogram = createHistogram();
  server.prependListener('request', (_request, response) => {
    const arrived = process.hrtime.bigint();
    response.once('finish', () => histogram.record(process.hrtime.bigint() - arrived));
  });
  return histogram;
}

/** Offers RATE requests/s to `url` for `seconds`; fails unless every answer was a 200 of `bytes` bytes. */
async function load(
  place: Placement,
  url: string,
  seconds: number,
  bytes: number,
  server: ReturnType<typeof serverLatency>,
): Promise<LoadResult> {
  const spec: LoadSpec = { url, rate: RATE, connections: CONNECTIONS, seconds, bytes, warmup: WARMUP };
  const { file, args } = place.command([LOADER, JSON.stringify(spec)]);
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  // The server's figures and this process's CPU time are taken over the measured part only, as the client's.
  let cpu = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  const collections = majorCollections();
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.startsWith('measuring\n')) {
      output = output.slice('measuring\n'.length);
      server.reset();
      cpu = process.cpuUsage();
      loopDelay.enable();
      collections.enable();
    }
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const used = process.cpuUsage(cpu);
  loopDelay.disable();
  collections.disable();
  if (code !== 0) throw new Error(`the load generator exited with ${code}: ${output}`);
  const result = JSON.parse(output) as LoadReport;
  if (result.bad > 0 || result.good !== result.offered)
    throw new Error(
      `${url}: ${result.bad} bad answers (not a 200 of ${bytes} bytes, errors, unanswered) of ${result.offered}`,
    );
  return {
    requestsPerSecond: result.served,
    p50: result.p50,
    p99: result.p99,
    latencies: result.latencies,
    lagP99: result.lagP99,
    serverP50: server.percentile(50) / 1e6,
    serverP99: server.percentile(99) / 1e6,
    cpuPerRequest: (used.user + used.system) / result.offered,
    loopDelayP99: loopDelay.percentile(99) / 1e6,
    loopDelayMax: loopDelay.max / 1e6,
    majorGcs: collections.count(),
    majorGcMax: collections.max(),
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

/**
 * The runtime runs in this process, so its collections follow this process's V8 flags: said beside npm start's,
 * which the figures of docs/benchmarks.md were measured with (`node <its flags> bench/run.ts --only api`).
 */
function v8Flags(): string {
  const start = startScriptNodeFlags();
  const own = process.execArgv.filter((flag) => flag.startsWith('--'));
  const same = start.length === own.length && start.every((flag) => own.includes(flag));
  return `${own.join(' ') || 'none'}${same ? " (npm start's)" : `; npm start runs with ${start.join(' ')}: node ${start.join(' ')} bench/run.ts --only api measures as it does`}`;
}

const ms = (value: number) =>
  `${value < 1 ? value.toFixed(2) : value < 10 ? value.toFixed(1) : formatNumber(value)} ms`;

export async function run(options: BenchOptions): Promise<void> {
  const seconds = options.quick ? 4 : 10;
  const rounds = options.quick ? 2 : 3;
  // Before the runtime starts, so that its embedded PostgreSQL inherits the servers' cores.
  const place = placement();
  try {
    await withTempDir('api', (dataDir) => measure(place, dataDir, seconds, rounds));
  } finally {
    place.restore();
  }
}

async function measure(place: Placement, dataDir: string, seconds: number, rounds: number): Promise<void> {
  const runtime = await startLocalRuntime({
    env: { TOP_SONGS_DATA_DIR: dataDir, PORT: '0' },
    schedules: false,
  });
  try {
    const runtimeLatency = serverLatency(runtime.server);
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
    let startUp: LoadResult | undefined;
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
      const bareLatency = serverLatency(bare);
      const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}${path}`;
      try {
        const samples: { runtime: LoadResult[]; bare: LoadResult[] } = { runtime: [], bare: [] };
        const runtimeRun = (duration: number) =>
          load(place, `${runtime.url}${path}`, duration, body.length, runtimeLatency);
        const bareRun = (duration: number) => load(place, bareUrl, duration, body.length, bareLatency);
        // The first seconds of load after the runtime started are its start-up's, not its steady state's (the
        // first major collection under load, twice as long as the later ones): measured and shown apart.
        startUp ??= await runtimeRun(seconds);
        // Interleaved rounds, so that drift on the machine hits both alike; each run warms up before it measures.
        for (let round = 0; round < rounds; round++) {
          samples.runtime.push(await runtimeRun(seconds));
          samples.bare.push(await bareRun(seconds));
        }
        const summary = (results: LoadResult[]) => {
          const of = (pick: (result: LoadResult) => number) => median(results.map(pick));
          return {
            rate: of((result) => result.requestsPerSecond),
            p50: of((result) => result.p50),
            p99: of((result) => result.p99),
            pooledP99: percentile(
              results.flatMap((result) => result.latencies),
              99,
            ),
            requests: results.reduce((sum, result) => sum + result.latencies.length, 0),
            rounds: results
              .map((result) => `${ms(result.p99)}${result.majorGcs > 0 ? ` (${result.majorGcs} GC)` : ''}`)
              .join(' / '),
            serverP50: of((result) => result.serverP50),
            serverP99: of((result) => result.serverP99),
            cpu: of((result) => result.cpuPerRequest),
            lagP99: Math.max(...results.map((result) => result.lagP99)),
            loopP99: of((result) => result.loopDelayP99),
            loopMax: Math.max(...results.map((result) => result.loopDelayMax)),
            majorGcs: results.reduce((sum, result) => sum + result.majorGcs, 0),
            majorGcMax: Math.max(...results.map((result) => result.majorGcMax)),
          };
        };
        const figure = summary(samples.runtime);
        const baseline = summary(samples.bare);
        const described = (side: ReturnType<typeof summary>) =>
          `${formatNumber(side.rate)} req/s, p50 ${ms(side.p50)}, p99 ${ms(side.p99)} ` +
          `(${ms(side.pooledP99)} over all ${formatNumber(side.requests)} requests); ` +
          `server p50 ${ms(side.serverP50)}, p99 ${ms(side.serverP99)}; ${formatNumber(side.cpu)} µs CPU/req; ` +
          `rounds' p99 ${side.rounds}, generator lag p99 ≤ ${ms(side.lagP99)}; ` +
          `event loop delay p99 ${ms(side.loopP99)}, max ${ms(side.loopMax)}; ` +
          `major GCs ${side.majorGcs}${side.majorGcs > 0 ? ` (longest pause ${ms(side.majorGcMax)})` : ''}`;
        rows.push({
          name: `${name}, ${body.length} B`,
          figure: described(figure),
          baseline: described(baseline),
          ratio: `${(figure.rate / baseline.rate).toFixed(2)}×`,
        });
      } finally {
        await new Promise((resolve) => bare.close(resolve));
      }
    }
    printTable(
      `api: GET /v1/charts offered ${formatNumber(RATE)} requests/s for ${seconds} s, up to ${CONNECTIONS} connections (paced)`,
      [
        'figure:   the local runtime: HTTP server → API Gateway v2 event → middy charts-api handler → serveCharts',
        '          → PostgreSQL (embedded), every answer checked to be a 200 of the full body',
        'baseline: a bare node:http server answering the same status, headers and bytes, same rate, same run',
        `ratio:    figure ÷ baseline requests served per second; medians of ${rounds} interleaved rounds (p99 also over`,
        `          all the rounds' requests pooled), each`,
        `          measured after ${WARMUP} s of the same load; client: from each request's intended send time (one every 0.5 ms) to the`,
        "          end of its answer; server: the server's own, from a request's arrival to the end of its response;",
        "          generator lag: how late the generator itself sent (in the client's latency, not the server's);",
        "          CPU: this process's user + system time per request (not PostgreSQL's); event loop delay: how late",
        "          this process's event loop ran (a stall there delays requests before the server's clock starts);",
        "          major GCs: this process's Mark-Compacts over the measured runs (pause: the atomic part only)",
        `placement: ${place.describe}`,
        ...(startUp
          ? [
              `start-up:  the first ${seconds} s of load after the runtime started (the first case, after its ${WARMUP} s of warm-up; not in the rounds):`,
              `          p99 ${ms(startUp.p99)}, major GCs ${startUp.majorGcs}, event loop delay max ${ms(startUp.loopDelayMax)}`,
            ]
          : []),
        `V8 flags: ${v8Flags()}`,
      ],
      rows,
    );
  } finally {
    await runtime.stop();
  }
}
