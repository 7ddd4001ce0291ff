/**
 * `npm start`: the whole system in one process, with embedded defaults (no services needed), or
 * real services when DATABASE_URL, LAKE_URI or KAFKA_BROKERS are set. Feeds itself simulated
 * plays unless started with --no-simulator.
 */
import './quiet-logs.ts';
import { parseArgs } from 'node:util';
import { generateCatalog, runSimulation } from '../../simulator/index.ts';
import { startLocalRuntime } from './runtime.ts';

const usage = `Usage: npm start -- [options]

  --no-simulator        do not feed the system simulated plays
  --rate <events/s>     simulated plays per second (default 20)
  --seed <n>            simulator and catalog seed (default 1)
  -h, --help            this text

Settings (environment): PORT (3000), HOST (127.0.0.1; 0.0.0.0 listens on every interface), DATABASE_URL,
LAKE_URI, KAFKA_BROKERS, REGIONS, TOP_SONGS_DATA_DIR (.data), INGEST_CORS_ORIGINS (none),
POWERTOOLS_LOG_LEVEL (WARN here; INFO shows every function's log lines); docs/operations.md lists them all`;

const { values: flags } = parseArgs({
  options: {
    'no-simulator': { type: 'boolean', default: false },
    rate: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  console.log(usage);
  process.exit(0);
}
const seed = Number(flags.seed);
const rate = Number(flags.rate);
if (!Number.isInteger(seed) || !(rate > 0)) {
  console.error(`--seed must be an integer and --rate a positive number\n\n${usage}`);
  process.exit(2);
}

const runtime = await startLocalRuntime({
  env: process.env,
  defaultCatalog: () => generateCatalog({ seed }),
});
const { settings } = runtime;

const lake = runtime.dependencies.lake().describe();
const transport = (await runtime.dependencies.transport()).describe();
const database = process.env.DATABASE_URL
  ? 'DATABASE_URL'
  : `embedded PostgreSQL in ${settings.dataDir}/postgres`;
const { host } = settings.http;
const listening =
  host === '127.0.0.1' || host === '::1' || host === 'localhost'
    ? 'this machine only (HOST=0.0.0.0 opens it to the network)'
    : host === '0.0.0.0' || host === '::'
      ? 'every network interface (HOST)'
      : `${host} (HOST)`;
console.log(`
Top Songs is running: ${runtime.url}
  dashboard  ${runtime.url}/
  listening  on ${listening}
  API        POST /v1/plays · GET /v1/charts?region=global&period=hour · GET /v1/regions
  transport  ${transport}
  lake       ${lake}
  database   ${database}
${flags['no-simulator'] ? '  simulator  off' : `  simulator  ${rate} plays/s (seed ${seed}); --no-simulator turns it off`}
Charts appear within a minute. Ctrl-C stops.
`);

const simulation = new AbortController();
const simulator = flags['no-simulator']
  ? Promise.resolve()
  : runSimulation({ url: runtime.url, rate, seed, signal: simulation.signal, quiet: true }).catch(
      (error: unknown) => console.error('simulator stopped:', (error as Error).message),
    );

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  simulation.abort();
  await simulator;
  await runtime.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
