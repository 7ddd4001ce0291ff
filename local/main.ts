/**
 * `npm start`: the whole system in one process, with embedded defaults (no services needed), or
 * real services when DATABASE_URL, LAKE_URI or KAFKA_BROKERS are set. Feeds itself simulated
 * plays unless started with --no-simulator.
 */
import './quiet-logs.ts';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runSimulation } from '../simulator/index.ts';
import { takeOverStopSignals } from '../src/adapters/postgres/embedded-package.ts';
import { loadSettings } from '../src/config/settings.ts';
import { describeCatalog, readCurrentCatalog } from '../src/use-cases/catalog-in-lake.ts';
import { catalogFiles } from '../src/wiring/catalog-files.ts';
import { seededCatalog } from './catalog.ts';
import { startLocalRuntime } from './runtime.ts';
import { startupFailure } from './startup-failure.ts';

const usage = `Usage: npm start -- [options]

  --no-simulator        do not feed the system simulated plays
  --rate <events/s>     simulated plays per second (default 20)
  --seed <n>            simulator and catalog seed (default 1)
  -h, --help            this text

Settings (environment): PORT (3000), HOST (127.0.0.1; 0.0.0.0 listens on every interface), DATABASE_URL,
LAKE_URI, KAFKA_BROKERS, REGIONS, TOP_SONGS_DATA_DIR (.data), INGEST_CORS_ORIGINS (none), SHUTDOWN_TIMEOUT_MS (15000),
POWERTOOLS_LOG_LEVEL (WARN here; INFO shows every function's log lines); docs/operations.md lists them all

POST /v1/plays needs an API key (Authorization: Bearer <key>): the development key is created on first start,
kept in <TOP_SONGS_DATA_DIR>/dev-api-key and printed below; npm run keys -- --help manages others.`;

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

const settings = (() => {
  try {
    return loadSettings(process.env);
  } catch (error) {
    console.error(startupFailure(error));
    process.exit(1);
  }
})();

// This process stops the embedded PostgreSQL itself, once what it took is finished (see shutdown below).
takeOverStopSignals();
/** When the first stop signal came (ms), or undefined while running. */
let stoppingSince: number | undefined;
/**
 * A second signal this soon after the first is the same Ctrl-C: a terminal signals its whole process group, and
 * `npm start` forwards what it got to this process too. A person pressing Ctrl-C again takes longer.
 */
const SAME_SIGNAL_WITHIN_MS = 1_000;
const simulation = new AbortController();
let simulator: Promise<unknown> = Promise.resolve();
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

const started = startLocalRuntime({
  env: process.env,
  settings,
  defaultCatalog: seededCatalog(seed),
}).catch((error: unknown) => {
  console.error(startupFailure(error));
  process.exit(1);
});
const runtime = await started;

const lake = runtime.dependencies.lake().describe();
// The simulator plays the lake's catalog, whichever wrote it (npm run catalog -- generate, or the seeded one).
const current = await readCurrentCatalog(runtime.dependencies.lake(), catalogFiles);
const catalog = current?.songs;
const transport = (await runtime.dependencies.transport()).describe();
const database = runtime.database
  ? `embedded PostgreSQL in ${settings.dataDir}/postgres${filesElsewhere(runtime.database.files)}`
  : 'DATABASE_URL';
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
  API key    ${runtime.apiKey} (development key for POST /v1/plays, in ${runtime.apiKeyFile})
  transport  ${transport}
  lake       ${lake}
  catalog    ${current ? describeCatalog(current.metadata) : 'none'} (npm run catalog -- generate: a chat model's)
  database   ${database}
${flags['no-simulator'] ? '  simulator  off' : `  simulator  ${rate} plays/s (seed ${seed}); --no-simulator turns it off`}
Charts appear within a minute. Ctrl-C stops.
`);

if (!flags['no-simulator'] && stoppingSince === undefined) {
  simulator = runSimulation({
    url: runtime.url,
    apiKey: runtime.apiKey,
    rate,
    seed,
    catalog,
    signal: simulation.signal,
    quiet: true,
  }).then(
    (result) => {
      if (result.stoppedBy === 'refused')
        console.error(`simulator stopped: the API refused its key (${result.stats.lastError})`);
    },
    (error: unknown) => console.error('simulator stopped:', (error as Error).message),
  );
}

/**
 * Finishes what was taken (requests in flight, the pollers' batches in flight, running jobs) while refusing
 * new requests with 503, then closes everything; gives up after SHUTDOWN_TIMEOUT_MS. A second signal exits at once
 * (one within SAME_SIGNAL_WITHIN_MS of the first is the same Ctrl-C, and ignored).
 */
async function shutdown(signal: string): Promise<void> {
  if (stoppingSince !== undefined) {
    if (performance.now() - stoppingSince < SAME_SIGNAL_WITHIN_MS) return;
    console.error(
      `${signal} again: exiting at once; records not yet committed are delivered again on the next start`,
    );
    process.exit(1);
  }
  stoppingSince = performance.now();
  const seconds = settings.shutdownTimeoutMs / 1000;
  console.log(`\n${signal}: stopping: finishing what is in flight (at most ${seconds} s)…`);
  setTimeout(() => {
    console.error(
      `Not stopped within ${seconds} s (SHUTDOWN_TIMEOUT_MS): exiting anyway; a request left unanswered may ` +
        'or may not have been taken (sending it again is safe), and records not yet committed are delivered again on the next start',
    );
    process.exit(1);
  }, settings.shutdownTimeoutMs);
  simulation.abort();
  await simulator;
  await (await started).stop();
  process.exit(0);
}

function filesElsewhere(files: string): string {
  return files.startsWith(resolve(settings.dataDir)) ? '' : ` (its files in ${files}, linked from there)`;
}
