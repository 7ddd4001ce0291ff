/**
 * `npm run invoke -- <function> [--event <file>|-]`: runs one function of the topology in this
 * process with one event, against the same lake and database settings as `npm start`.
 */
import './quiet-logs.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../adapters/postgres/embedded.ts';
import { loadSettings } from '../config/settings.ts';
import { createDependencies, type Dependencies, installDependencies } from '../runtime/dependencies.ts';
import { type FunctionName, functionNames } from '../topology.ts';
import { invokeFunction } from './functions.ts';
import { firstLine, startupFailure } from './startup-failure.ts';

const usage = `Usage: npm run invoke -- <function> [--event <file>|-]

  <function>   one of: ${functionNames.join(', ')}
  --event      a JSON event file, or - to read it from standard input (default: {})

Example: npm run invoke -- chart-hourly --event test/fixtures/events/chart-hourly-backfill.json`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { event: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
});
const name = positionals[0];
if (values.help || !name) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}
if (!functionNames.includes(name as FunctionName)) {
  console.error(`Unknown function "${name}"; expected one of ${functionNames.join(', ')}`);
  process.exit(2);
}

let event: unknown = {};
if (values.event) {
  const text = values.event === '-' ? await readStdin() : await readFile(values.event, 'utf8');
  try {
    event = JSON.parse(text);
  } catch (error) {
    console.error(`The event is not valid JSON: ${(error as Error).message}`);
    process.exit(2);
  }
}

const { database, dependencies } = await open().catch((error: unknown) => {
  console.error(startupFailure(error));
  process.exit(1);
});
installDependencies(dependencies);
let exitCode = 0;
try {
  console.log(JSON.stringify(await invokeFunction(name as FunctionName, event), null, 2));
} catch (error) {
  // One line; the stack is for whoever debugs the function.
  const debug = process.env.POWERTOOLS_LOG_LEVEL === 'DEBUG';
  console.error(
    debug
      ? `${name} failed: ${(error as Error).stack ?? error}`
      : `${name} failed: ${firstLine(error)} (POWERTOOLS_LOG_LEVEL=DEBUG shows where)`,
  );
  exitCode = 1;
} finally {
  await dependencies.close();
  await database?.stop();
}
process.exit(exitCode);

/** The settings' dependencies, with the embedded PostgreSQL when DATABASE_URL is not set (shared with npm start). */
async function open(): Promise<{ database: EmbeddedDatabase | undefined; dependencies: Dependencies }> {
  let settings = loadSettings(process.env);
  const database = settings.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(join(settings.dataDir, 'postgres'));
  if (database) settings = { ...settings, databaseUrl: database.url };
  try {
    return { database, dependencies: createDependencies(settings) };
  } catch (error) {
    await database?.stop();
    throw error;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
