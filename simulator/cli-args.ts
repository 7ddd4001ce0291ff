import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DUPLICATE_RATE, DEFAULT_INVALID_RATE } from './faults.ts';
import { DEFAULT_SHORT_RATE } from './model.ts';
import { MAX_BACKFILL_HOURS, type SimulationOptions } from './run.ts';
import { DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE } from './sender.ts';

/** A flag the user got wrong: the CLI prints the message and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type CliCommand =
  | { help: true }
  | {
      help: false;
      quiet: boolean;
      options: SimulationOptions;
      /** Where the key comes from when neither --api-key nor TOP_SONGS_API_KEY gives it (options.apiKey unset). */
      devApiKeyFile: string;
      /** `lake`: the current catalog of the lake LAKE_URI names; else a catalog Parquet file; unset: seeded. */
      catalog: string | undefined;
    };

export function defaultUrl(env: Record<string, string | undefined>): string {
  return `http://localhost:${env.PORT || 3000}`;
}

/** Local mode's development key: `<TOP_SONGS_DATA_DIR>/dev-api-key` (local/dev-api-key.ts writes it). */
export function defaultApiKeyFile(env: Record<string, string | undefined>): string {
  return join(env.TOP_SONGS_DATA_DIR || '.data', 'dev-api-key');
}

export function usage(env: Record<string, string | undefined>): string {
  return `Usage: npm run simulate -- [flags]

Sends simulated song plays to the Top Songs ingest API (POST /v1/plays).

Flags:
  --url URL               API base URL (default: ${defaultUrl(env)}, from $PORT)
  --api-key KEY           API key for POST /v1/plays (default: $TOP_SONGS_API_KEY, else the development
                          key that npm start keeps in ${defaultApiKeyFile(env)})
  --rate N                live events per second (default: 50)
  --duration D            how long to run live, e.g. 90s, 10m, 1h, 1h30m (default: until Ctrl-C)
  --count N               send exactly N events (backfill included), then stop
  --seed N                seed of the simulated world: same seed, same plays (default: 1)
  --catalog-seed N        seed of the song catalog the server loaded (default: same as --seed)
  --catalog lake|FILE     play the songs of the server's catalog instead: \`lake\` reads it from the lake
                          (LAKE_URI, default .data/lake), FILE is a catalog Parquet file (npm run catalog)
  --regions a,b,c         region codes (default: GET /v1/regions, else us,gb,de,fr,br,mx,jp,in)
  --batch-size N          events per request, 1–${MAX_BATCH_SIZE} (default: ${DEFAULT_BATCH_SIZE})
  --concurrency N         requests in flight at once (default: 4)
  --backfill-hours N      first send N past hours of plays, then go live (max ${MAX_BACKFILL_HOURS}: the server
                          rejects plays older than 30 days)
  --backfill-per-hour N   plays per backfilled hour (default: 60 × rate)
  --duplicates R          share of events re-delivered in a later batch (default: ${DEFAULT_DUPLICATE_RATE})
  --invalid R             share of deliberately invalid events (default: ${DEFAULT_INVALID_RATE})
  --short R               share of plays under 30 s, which charts ignore (default: ${DEFAULT_SHORT_RATE})
  --quiet                 no progress output, only the final summary
  -h, --help              show this help

Rates R are fractions (0.02) or percentages (2%).
Exit codes: 0 success, 1 target unreachable or most batches failed, 2 bad flags.
`;
}

const flags = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  count: { type: 'string' },
  seed: { type: 'string' },
  'catalog-seed': { type: 'string' },
  catalog: { type: 'string' },
  regions: { type: 'string' },
  'batch-size': { type: 'string' },
  concurrency: { type: 'string' },
  'backfill-hours': { type: 'string' },
  'backfill-per-hour': { type: 'string' },
  duplicates: { type: 'string' },
  invalid: { type: 'string' },
  short: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function parseCliArgs(args: readonly string[], env: Record<string, string | undefined>): CliCommand {
  const { values } = parseFlags(args);
  if (values.help) return { help: true };

  const url = values.url ?? defaultUrl(env);
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new UsageError(`--url must be an http(s) URL, got "${url}"`);
  }
  const rates = {
    duplicateRate: optional(values.duplicates, (v) => parseShare('--duplicates', v)),
    invalidRate: optional(values.invalid, (v) => parseShare('--invalid', v)),
    shortRate: optional(values.short, (v) => parseShare('--short', v)),
  };
  if ((rates.duplicateRate ?? DEFAULT_DUPLICATE_RATE) + (rates.invalidRate ?? DEFAULT_INVALID_RATE) > 1) {
    throw new UsageError('--duplicates and --invalid together must not exceed 1');
  }
  const apiKey = values['api-key'] ?? (env.TOP_SONGS_API_KEY || undefined);
  if (apiKey !== undefined && apiKey.trim() === '') throw new UsageError('--api-key must not be empty');
  const options: SimulationOptions = {
    url,
    apiKey,
    rate: optional(values.rate, (v) => parsePositive('--rate', v)),
    durationMs: optional(values.duration, (v) => parseDuration('--duration', v)),
    count: optional(values.count, (v) => parseInteger('--count', v, 1)),
    seed: optional(values.seed, (v) => parseInteger('--seed', v, 0)),
    regions: optional(values.regions, parseRegions),
    batchSize: optional(values['batch-size'], (v) => parseInteger('--batch-size', v, 1, MAX_BATCH_SIZE)),
    concurrency: optional(values.concurrency, (v) => parseInteger('--concurrency', v, 1, 64)),
    backfillHours: optional(values['backfill-hours'], (v) =>
      parseInteger('--backfill-hours', v, 0, MAX_BACKFILL_HOURS),
    ),
    backfillPerHour: optional(values['backfill-per-hour'], (v) => parseInteger('--backfill-per-hour', v, 1)),
    ...rates,
    catalogSeed: optional(values['catalog-seed'], (v) => parseInteger('--catalog-seed', v, 0)),
    stopIfUnreachable: true,
    // The CLI reports problems itself.
    quiet: true,
  };
  if (values.catalog !== undefined && values.catalog.trim() === '') {
    throw new UsageError('--catalog must be `lake` or the path of a catalog Parquet file');
  }
  return {
    help: false,
    quiet: values.quiet,
    options,
    devApiKeyFile: defaultApiKeyFile(env),
    catalog: values.catalog,
  };
}

function parseFlags(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: flags, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function optional<T>(value: string | undefined, parse: (value: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}

export function parseInteger(
  flag: string,
  value: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${flag} must be an integer ${range}, got "${value}"`);
  }
  return number;
}

function parsePositive(flag: string, value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new UsageError(`${flag} must be a positive number, got "${value}"`);
  }
  return number;
}

/** `0.02` or `2%`. */
export function parseShare(flag: string, value: string): number {
  const percent = value.trim().endsWith('%');
  const number = Number(percent ? value.trim().slice(0, -1) : value);
  const share = percent ? number / 100 : number;
  if (value.trim() === '' || !(share >= 0 && share <= 1)) {
    throw new UsageError(`${flag} must be a fraction from 0 to 1 or a percentage, got "${value}"`);
  }
  return share;
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `10m`, `1h`, `1h30m`, `500ms`; a bare number means seconds. */
export function parseDuration(flag: string, value: string): number {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (text === '' || parts.map((part) => part[0]).join('') !== text) {
    throw new UsageError(`${flag} must be a duration like 90s, 10m, 1h or 1h30m, got "${value}"`);
  }
  const ms = parts.reduce((total, part) => total + Number(part[1]) * durationUnits[part[2]!]!, 0);
  if (ms <= 0) throw new UsageError(`${flag} must be longer than zero, got "${value}"`);
  return ms;
}

export function parseRegions(value: string): string[] {
  const codes = value
    .split(',')
    .map((code) => code.trim())
    .filter(Boolean);
  const bad = codes.filter((code) => !/^[a-z]{2,8}$/.test(code));
  if (codes.length === 0 || bad.length > 0) {
    throw new UsageError(
      `--regions must be a comma list of 2–8 lowercase letters, e.g. us,gb,de; got "${value}"`,
    );
  }
  return [...new Set(codes)];
}
