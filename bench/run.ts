/**
 * The benchmarks: `npm run bench [-- --quick] [-- --only ingest,charts]`.
 * Each prints its figure next to a baseline measured in this same process, and their ratio.
 * See docs/benchmarks.md for what each one measures and the figures of a reference machine.
 */
import { parseArgs } from 'node:util';
import { type BenchOptions, machineDescription, parseDuration, removeTempDirsNow } from './harness.ts';

interface BenchmarkModule {
  run(options: BenchOptions): Promise<void>;
  /** Why it cannot run here (e.g. a service is not configured); it then skips itself. */
  unavailable?: () => string | undefined;
}

const benchmarks = {
  ingest: () => import('./ingest.ts'),
  'lake-writer': () => import('./lake-writer.ts'),
  charts: () => import('./charts.ts'),
  'open-hour': () => import('./open-hour.ts'),
  'chart-history': () => import('./chart-history.ts'),
  http: () => import('./http.ts'),
  api: () => import('./api.ts'),
  kafka: () => import('./kafka.ts'),
  spark: () => import('./spark.ts'),
  soak: () => import('./soak.ts'),
  scale: () => import('./scale.ts'),
  memory: () => import('./memory.ts'),
  'first-chart': () => import('./first-chart.ts'),
  freshness: () => import('./freshness.ts'),
} as const satisfies Record<string, () => Promise<BenchmarkModule>>;
type BenchmarkName = keyof typeof benchmarks;
const names = Object.keys(benchmarks) as BenchmarkName[];
/** Long runs, not part of a bare `npm run bench`: they run only when named with --only. */
const onlyWhenNamed: readonly BenchmarkName[] = ['soak', 'scale', 'memory', 'first-chart', 'freshness'];

const usage = `Usage: npm run bench -- [--quick] [--only <name>[,<name>…]] [--duration <30m>] [--minutes <30>] [--rate <plays/s>] [--every <10>]
       npm run bench -- --scale [--plays <n>]
  --quick        a smaller run (fewer requests, rows and repetitions)
  --scale        the same as --only scale: chart-daily over a generated day of plays (cached outside the checkout)
  --plays <n>    scale: plays in the day (default 10000000; 1000000 with --quick)
  --only <name>  run only these benchmarks: ${names.join(', ')}
                 (kafka and spark run only when KAFKA_BROKERS is set;
                 spark also needs its venv: bash spark/setup.sh;
                 soak, scale, memory, first-chart and freshness run only when named: npm run bench -- --only soak)
  --duration <d> soak, memory: how long, e.g. 30m (default), 2m, 90s, 1h; freshness: 60s by default
  --minutes <n>  soak, memory: how long in minutes (the same as --duration <n>m)
  --rate <n>     soak: plays per second (default: half the capacity it measures first);
                 freshness: plays per second (default 2000)
  --every <s>    memory: seconds between memory samples (default 10)
  --heap-snapshots memory: also compare V8 heap snapshots taken after the first minute and at the end (what
                 grows in the JS heap); the snapshot's memory then stays in node's RSS, ~150 MB
Environment: TOP_SONGS_API_KEY, the key the soak's sender presents (default: the runtime's development key).`;

function parse(): { options: BenchOptions; selected: BenchmarkName[]; requested: BenchmarkName[] } {
  let values: {
    quick: boolean;
    only?: string[] | undefined;
    duration?: string | undefined;
    minutes?: string | undefined;
    rate?: string | undefined;
    every?: string | undefined;
    'heap-snapshots': boolean;
    scale: boolean;
    plays?: string | undefined;
    help: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true },
        duration: { type: 'string' },
        minutes: { type: 'string' },
        rate: { type: 'string' },
        every: { type: 'string' },
        'heap-snapshots': { type: 'boolean', default: false },
        scale: { type: 'boolean', default: false },
        plays: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const requested = [...(values.only ?? []), ...(values.scale ? ['scale'] : [])]
    .flatMap((value) => value.split(','))
    .map((value) => value.trim());
  const unknown = requested.filter((name) => !names.includes(name as BenchmarkName));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark ${unknown.join(', ')}.\n${usage}`);
    process.exit(2);
  }
  const duration = values.duration ?? (values.minutes === undefined ? undefined : `${values.minutes}m`);
  const durationMs = duration === undefined ? undefined : parseDuration(duration);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  const sampleSeconds = values.every === undefined ? undefined : Number(values.every);
  const plays = values.plays === undefined ? undefined : Number(values.plays);
  if (
    (duration !== undefined && durationMs === undefined) ||
    (rate !== undefined && !(rate > 0)) ||
    (sampleSeconds !== undefined && !(sampleSeconds > 0)) ||
    (plays !== undefined && !(Number.isInteger(plays) && plays >= 1000))
  ) {
    console.error(
      `--duration takes e.g. 30m, 90s or 1h, --minutes, --rate and --every a positive number, --plays a whole number from 1000.\n${usage}`,
    );
    process.exit(2);
  }
  return {
    options: {
      quick: values.quick,
      durationMs,
      rate,
      sampleSeconds,
      heapSnapshots: values['heap-snapshots'],
      plays,
      apiKey: process.env.TOP_SONGS_API_KEY || undefined,
    },
    selected:
      requested.length > 0
        ? names.filter((name) => requested.includes(name))
        : names.filter((name) => !onlyWhenNamed.includes(name)),
    requested: names.filter((name) => requested.includes(name)),
  };
}

async function main(): Promise<void> {
  const { options, selected, requested } = parse();
  // Named with --only but unable to run here: an error. Otherwise such a benchmark skips itself.
  for (const name of requested) {
    const module: BenchmarkModule = await benchmarks[name]();
    const reason = module.unavailable?.();
    if (reason) {
      console.error(reason);
      process.exit(2);
    }
  }
  // The functions the local runtime invokes log every batch at INFO; that would bury the tables.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.once('SIGINT', () => {
    removeTempDirsNow();
    process.exit(130);
  });

  const { withDuckDb } = await import('../src/adapters/duckdb/duckdb.ts');
  const duckdb = await withDuckDb(async (connection) =>
    String((await connection.runAndReadAll('SELECT version() AS v')).getRowObjectsJS()[0]!.v),
  );
  console.log(`Top Songs benchmarks${options.quick ? ' (--quick)' : ''}: ${selected.join(', ')}`);
  for (const line of machineDescription({
    DuckDB: `${duckdb} (threads = 2)`,
    date: new Date().toISOString(),
  })) {
    console.log(`  ${line}`);
  }

  const started = performance.now();
  for (const name of selected) {
    const benchmarkStarted = performance.now();
    const { run } = await benchmarks[name]();
    await run(options);
    console.log(`  (${name}: ${((performance.now() - benchmarkStarted) / 1000).toFixed(1)} s)`);
  }
  console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}

await main();
