import { parseArgs } from 'node:util';
import { parseInteger, parseRegions, UsageError } from '../simulator/cli-args.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY } from '../src/wiring/song-source.ts';

export { UsageError };

export const DEFAULT_SONGS = 2000;
const MAX_SONGS = 100_000;

export const catalogUsage = `Usage: npm run catalog -- <command> [flags]

Commands:
  generate    ask a chat model for songs and write them to the lake as the current catalog, keeping the
              previous one (catalog/versions/<version>/songs.parquet); without OPENAI_API_KEY, the
              seeded generator writes it instead, labelled source: seeded
  show        the current catalog (source, model, songs) and every kept version

Flags of generate:
  --songs N           distinct songs to generate (default: ${DEFAULT_SONGS})
  --model NAME        chat model (default: OPENAI_MODEL, else gpt-4.1-mini)
  --regions a,b,c     region codes the songs' home regions come from (default: REGIONS)
  --batch-size N      songs asked for per request (default: ${DEFAULT_BATCH_SIZE})
  --concurrency N     requests in flight at once (default: ${DEFAULT_CONCURRENCY})
  --seeded            the seeded generator, even with a key
  --seed N            seed of the seeded generator (default: 1)
  -h, --help          this text

Settings (environment): OPENAI_API_KEY, OPENAI_BASE_URL (any OpenAI-compatible server, e.g. Ollama's
http://127.0.0.1:11434/v1), OPENAI_MODEL, OPENAI_MAX_RETRIES (5), OPENAI_TIMEOUT_MS (180000); the lake:
LAKE_URI (default .data/lake). Progress goes to stderr, the result to stdout.
Exit codes: 0 written (or shown), 1 generation failed (nothing written), 2 bad flags.
`;

export type CatalogCommand =
  | { readonly command: 'help' }
  | { readonly command: 'show' }
  | {
      readonly command: 'generate';
      readonly songs: number;
      readonly model: string | undefined;
      readonly regions: readonly string[] | undefined;
      readonly batchSize: number | undefined;
      readonly concurrency: number | undefined;
      readonly seeded: boolean;
      readonly seed: number;
    };

export function parseCatalogArgs(args: readonly string[]): CatalogCommand {
  const { values, positionals } = parseFlags(args);
  if (values.help) return { command: 'help' };
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  if (command === 'show') return { command: 'show' };
  if (command !== 'generate') {
    throw new UsageError(
      command ? `unknown command "${command}"; expected generate or show` : 'a command is needed',
    );
  }
  const integer = (flag: string, value: string | undefined, min: number, max?: number) =>
    value === undefined ? undefined : parseInteger(flag, value, min, max);
  if (values.model !== undefined && values.model.trim() === '')
    throw new UsageError('--model must name a model');
  return {
    command: 'generate',
    songs: integer('--songs', values.songs, 1, MAX_SONGS) ?? DEFAULT_SONGS,
    model: values.model?.trim(),
    regions: values.regions === undefined ? undefined : parseRegions(values.regions),
    batchSize: integer('--batch-size', values['batch-size'], 1, 500),
    concurrency: integer('--concurrency', values.concurrency, 1, 32),
    seeded: values.seeded,
    seed: integer('--seed', values.seed, 0) ?? 1,
  };
}

function parseFlags(args: readonly string[]) {
  try {
    return parseFlagsOf(args);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parseFlagsOf(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      songs: { type: 'string' },
      model: { type: 'string' },
      regions: { type: 'string' },
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
      seeded: { type: 'boolean', default: false },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
