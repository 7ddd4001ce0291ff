/**
 * `npm run catalog -- generate [--songs N] [--model M] [--regions a,b]`: generates the song catalog with a
 * chat model (or, without a key, the seeded generator) into the lake of the current settings, as a new
 * version; `npm run catalog -- show` describes the current one and lists the versions kept.
 */
import './quiet-logs.ts';
import { loadSettings, type Settings } from '../src/config/settings.ts';
import { CATALOG_KEY, CATALOG_VERSIONS_PREFIX } from '../src/domain/lake-layout.ts';
import type { ObjectStore } from '../src/ports/object-store.ts';
import type { SongSourceProgress } from '../src/ports/song-source.ts';
import { currentCatalog, describeCatalog } from '../src/use-cases/catalog-in-lake.ts';
import { generateCatalogVersion } from '../src/use-cases/generate-catalog.ts';
import { catalogFiles } from '../src/wiring/catalog-files.ts';
import { createDependencies } from '../src/wiring/dependencies.ts';
import { chooseSongSource } from '../src/wiring/song-source.ts';
import { type CatalogCommand, catalogUsage, parseCatalogArgs, UsageError } from './catalog-args.ts';
import { startupFailure } from './startup-failure.ts';

async function main(): Promise<number> {
  let command: CatalogCommand;
  try {
    command = parseCatalogArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`catalog: ${error.message}\nRun with --help for usage.\n`);
    return 2;
  }
  if (command.command === 'help') {
    process.stdout.write(catalogUsage);
    return 0;
  }
  let settings: Settings;
  try {
    settings = loadSettings(process.env);
  } catch (error) {
    process.stderr.write(`catalog: ${startupFailure(error)}\n`);
    return 2;
  }
  const lake = createDependencies(settings).lake();
  if (command.command === 'show') return show(lake);

  const clock = () => new Date();
  const choice = await chooseSongSource(settings, { ...command, clock });
  const { source } = choice;
  if (choice.fallback) {
    process.stderr.write(
      `catalog: ${choice.fallback}: generating the SEEDED catalog instead (seed ${command.seed}), labelled source: seeded. ` +
        'Set OPENAI_API_KEY (and OPENAI_BASE_URL for another OpenAI-compatible server) to ask a chat model.\n',
    );
  } else if (source.source === 'openai') {
    process.stderr.write(
      `catalog: asking ${source.model} at ${choice.server} for ${command.songs} songs → ${lake.describe()}\n`,
    );
  }
  const progress = progressLine(command.songs);
  try {
    const result = await generateCatalogVersion(
      { lake, files: catalogFiles, source, clock, onProgress: progress.show },
      { mode: 'generate', songs: command.songs, regions: command.regions ?? settings.regions },
    );
    progress.done();
    if (!result.written) throw new Error(result.reason);
    const { metadata } = result;
    const label =
      metadata.source === 'openai'
        ? `openai (model ${metadata.model})`
        : `seeded (seed ${metadata.seed})${choice.fallback ? ` — fallback: ${choice.fallback}` : ''}`;
    const short =
      metadata.songs < command.songs
        ? ` (${command.songs - metadata.songs} short of ${command.songs}: the model kept repeating songs)`
        : '';
    process.stdout.write(
      [
        `Catalog ${metadata.version}: ${metadata.songs} songs${short}, source ${label}`,
        `  current  ${lake.describe()} ${result.key}`,
        `  version  ${result.versionKey}`,
        `  previous ${result.replaced ? `${describeCatalog(result.previous)}: kept under ${CATALOG_VERSIONS_PREFIX}` : 'none'}`,
        'catalog-sync loads it into the database on its next run (every 5 minutes; npm run invoke -- catalog-sync now).',
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    progress.done();
    process.stderr.write(`catalog: generation failed, nothing written: ${(error as Error).message}\n`);
    return 1;
  }
}

async function show(lake: ObjectStore): Promise<number> {
  const current = await currentCatalog(lake, catalogFiles);
  const versions = [
    ...new Set(
      (await lake.list(CATALOG_VERSIONS_PREFIX)).map(
        (key) => key.slice(CATALOG_VERSIONS_PREFIX.length).split('/')[0],
      ),
    ),
  ];
  const lines = [
    current.exists
      ? `current  ${lake.describe()} ${CATALOG_KEY}: ${describeCatalog(current.metadata)}`
      : `no catalog in ${lake.describe()} yet: npm run catalog -- generate`,
    ...versions.map(
      (version) =>
        `version  ${version}${current.exists && current.metadata?.version === version ? ' (current)' : ''}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** Progress on stderr: one line rewritten in place on a terminal, a line per change otherwise. */
function progressLine(target: number) {
  const out = process.stderr;
  let last = '';
  return {
    show(progress: SongSourceProgress): void {
      const parts = [
        `batch ${progress.batchesDone}/${progress.batchesPlanned}`,
        `${progress.songs}/${target} songs`,
        `${progress.duplicates} duplicates dropped`,
      ];
      if (progress.throttled > 0) parts.push(`${progress.throttled} busy answers (429/5xx) retried`);
      if (progress.refused > 0)
        parts.push(`${progress.refused} malformed answers refused (last: ${progress.lastRefusal})`);
      const line = `catalog: ${parts.join(', ')}`;
      if (line === last) return;
      last = line;
      out.write(out.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    done(): void {
      if (out.isTTY && last) out.write('\n');
    },
  };
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `catalog: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
