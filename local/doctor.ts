/**
 * `npm run doctor [-- --json] [--timeout <ms>]`: checks every service the settings point at (the same settings as
 * `npm start`) and prints a table, or a JSON document; exits 1 when a check failed.
 */
import './quiet-logs.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { SHARED_CLUSTERS } from '../src/adapters/postgres/cluster-folder.ts';
import { leftoverClusters, removeLeftoverCluster } from '../src/adapters/postgres/leftover-clusters.ts';
import { loadSettings } from '../src/config/settings.ts';
import { checkConnections } from '../src/use-cases/check-connections.ts';
import { formatTable, reportDocument } from '../src/use-cases/connection-report.ts';
import { connectionProbes } from '../src/wiring/connection-probes.ts';

const usage = `Usage: npm run doctor -- [--json] [--timeout <ms>] | --remove-leftovers

Checks what the settings point at, as npm start would use it: PostgreSQL (DATABASE_URL, or the embedded
server), the transport (KAFKA_BROKERS, KINESIS_STREAM, or the embedded log), the lake (LAKE_URI), the AWS
endpoint (AWS_ENDPOINT_URL) and the OpenAI-compatible server (OPENAI_BASE_URL, OPENAI_API_KEY).

  --json             a JSON document instead of the table
  --timeout <ms>     how long each check may take (default: DOCTOR_TIMEOUT_MS, 10000)
  --remove-leftovers removes the embedded databases of data folders deleted since (as root, in a folder only
                     root may enter, they are kept in ${SHARED_CLUSTERS}); a data folder moved elsewhere
                     counts as gone until it has been started where it is now: start it once first

Exit status: 0 when nothing failed (skipped checks are not failures), 1 when a check failed, 2 on bad usage.`;

/** How long a check cut off by the timeout may still take to stop what it started (an embedded PostgreSQL). */
const CLEANUP_GRACE_MS = 30_000;

const { values: flags } = (() => {
  try {
    return parseArgs({
      options: {
        json: { type: 'boolean', default: false },
        timeout: { type: 'string' },
        'remove-leftovers': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
})();
if (flags.help) {
  console.log(usage);
  process.exit(0);
}
if (flags['remove-leftovers']) {
  const leftovers = await leftoverClusters(SHARED_CLUSTERS);
  for (const leftover of leftovers) {
    await removeLeftoverCluster(leftover);
    console.log(
      `removed ${leftover.home} (${Math.round(leftover.bytes / 1_048_576)} MB, of ${leftover.dataDir})`,
    );
  }
  if (leftovers.length === 0) console.log(`no leftover databases in ${SHARED_CLUSTERS}`);
  process.exit(0);
}
const timeoutFlag = flags.timeout === undefined ? undefined : Number(flags.timeout);
if (timeoutFlag !== undefined && !(Number.isInteger(timeoutFlag) && timeoutFlag > 0)) {
  console.error(
    `--timeout must be a whole number of milliseconds above 0, not "${flags.timeout}"\n\n${usage}`,
  );
  process.exit(2);
}

let settings: ReturnType<typeof loadSettings>;
try {
  settings = loadSettings(process.env);
} catch (error) {
  // Nothing can be checked with settings npm start would refuse: that is the failure to report.
  const message = (error as Error).message;
  if (flags.json) console.log(JSON.stringify({ ok: false, error: message, checks: [] }, null, 2));
  else console.error(message);
  process.exit(1);
}
const timeoutMs = timeoutFlag ?? settings.doctorTimeoutMs;

const report = await checkConnections(await connectionProbes(settings, timeoutMs), { timeoutMs });
process.stdout.write(
  flags.json
    ? `${JSON.stringify(reportDocument(report.results, timeoutMs), null, 2)}\n`
    : formatTable(report.results),
);
// A check that ran out of time may have started something (the embedded PostgreSQL): let it stop it.
await Promise.race([report.settled, sleep(CLEANUP_GRACE_MS, undefined, { ref: false })]);
process.exit(report.ok ? 0 : 1);
