/**
 * The benchmarks: `npm run bench [-- --quick] [-- --only ingest,charts]`.
 * Each prints its figure next to a baseline measured in this same process, and their ratio.
 * See docs/benchmarks.md for what each one measures and the figures of a reference machine.
 */
import { parseArgs } from 'node:util';
import { type BenchOptions, machineDescription, removeTempDirsNow } from './harness.ts';

const benchmarks = {
  ingest: () => import('./ingest.ts'),
  'lake-writer': () => import('./lake-writer.ts'),
  charts: () => import('./charts.ts'),
  http: () => import('./http.ts'),
} as const satisfies Record<string, () => Promise<{ run(options: BenchOptions): Promise<void> }>>;
type BenchmarkName = keyof typeof benchmarks;
const names = Object.keys(benchmarks) as BenchmarkName[];

const usage = `Usage: npm run bench -- [--quick] [--only <name>[,<name>…]]
  --quick        a smaller run (fewer requests, rows and repetitions)
  --only <name>  run only these benchmarks: ${names.join(', ')}`;

function parse(): { options: BenchOptions; selected: BenchmarkName[] } {
  let values: { quick: boolean; only?: string[] | undefined; help: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true },
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
  const requested = (values.only ?? []).flatMap((value) => value.split(',')).map((value) => value.trim());
  const unknown = requested.filter((name) => !names.includes(name as BenchmarkName));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark ${unknown.join(', ')}.\n${usage}`);
    process.exit(2);
  }
  return {
    options: { quick: values.quick },
    selected: requested.length > 0 ? names.filter((name) => requested.includes(name)) : names,
  };
}

async function main(): Promise<void> {
  const { options, selected } = parse();
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
