/**
 * `npm run catalog` end to end, as a child process: the real `openai` client against the OpenAI-compatible
 * server started here, the catalog written to a folder lake, versions kept, the seeded fallback without a key.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { generateCatalog } from '../../../src/adapters/catalog/seeded-catalog.ts';
import { readCatalogMetadata, readCatalogParquet } from '../../../src/adapters/parquet/catalog-parquet.ts';
import { CATALOG_KEY, catalogVersionKey } from '../../../src/domain/lake-layout.ts';
import { songKey } from '../../../src/domain/song.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../../support/openai-server.ts';
import { listFiles, runCatalogCli } from './catalog-cli-process.ts';

let dir: { path: string; remove: () => Promise<void> };
let fake: FakeOpenAi;
beforeAll(async () => {
  dir = await makeTempDir('catalog-cli');
  fake = await startFakeOpenAi({ apiKey: 'sk-test', repeatsPerAnswer: 2 });
});
afterAll(async () => {
  await fake.close();
  await dir.remove();
});

const lakeOf = (name: string) => join(dir.path, name);
const withModel = (lake: string) => ({
  LAKE_URI: lake,
  OPENAI_API_KEY: 'sk-test',
  OPENAI_BASE_URL: fake.url,
});

describe('npm run catalog -- generate', () => {
  it('writes the songs the model gave, deduplicated, as the current catalog and a version, with its metadata', async () => {
    const lake = lakeOf('model');
    const run = await runCatalogCli(
      ['generate', '--songs', '45', '--batch-size', '10', '--model', 'cli-model', '--regions', 'us,br'],
      withModel(lake),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Catalog \S+: 45 songs, source openai \(model cli-model\)/);
    expect(run.stderr).toMatch(/asking cli-model at http:\/\/127\.0\.0\.1:\d+\/v1 for 45 songs/);
    expect(run.stderr).toMatch(/catalog: batch \d+\/\d+, 45\/45 songs, \d+ duplicates dropped/);

    const songs = await readCatalogParquet(join(lake, CATALOG_KEY));
    const metadata = await readCatalogMetadata(join(lake, CATALOG_KEY));
    expect(metadata).toMatchObject({
      source: 'openai',
      model: 'cli-model',
      seed: null,
      songs: 45,
      regions: ['us', 'br'],
    });
    expect(songs).toHaveLength(45);
    expect(new Set(songs.map((song) => songKey(song.title, song.artist))).size).toBe(45);
    // Every song is one the server sent: "Fake title <n>" by "Fake artist <n>", or a re-spelled repeat of it
    // when the repeat's answer was read first (answers run 4 at a time), never both.
    expect(
      songs.every((song) => {
        const [title, artist] = songKey(song.title, song.artist).split('\u0000');
        return /^fake title \d+$/.test(title!) && artist === title!.replace('title', 'artist');
      }),
    ).toBe(true);
    expect(songs.every((song) => song.home_regions!.every((region) => ['us', 'br'].includes(region)))).toBe(
      true,
    );
    expect(fake.requests.every((request) => request.body.model === 'cli-model')).toBe(true);
    // The version file is the current file, byte for byte.
    expect(await readFile(join(lake, catalogVersionKey(metadata!.version)))).toEqual(
      await readFile(join(lake, CATALOG_KEY)),
    );
  });

  it('keeps the previous catalog when it writes the next', async () => {
    const lake = lakeOf('versions');
    const first = await runCatalogCli(['generate', '--songs', '10', '--seeded'], { LAKE_URI: lake });
    expect(first.code, first.stderr).toBe(0);
    const firstVersion = (await readCatalogMetadata(join(lake, CATALOG_KEY)))!.version;
    const firstBytes = await readFile(join(lake, catalogVersionKey(firstVersion)));

    const second = await runCatalogCli(['generate', '--songs', '12', '--batch-size', '6'], withModel(lake));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      new RegExp(`previous seeded, seed 1, 10 songs, version ${firstVersion}: kept`),
    );
    const current = await readCatalogMetadata(join(lake, CATALOG_KEY));
    expect(current).toMatchObject({ source: 'openai', songs: 12 });
    expect(current!.version > firstVersion).toBe(true);
    expect(await listFiles(lake)).toEqual(
      [CATALOG_KEY, catalogVersionKey(firstVersion), catalogVersionKey(current!.version)].sort(),
    );
    expect(await readFile(join(lake, catalogVersionKey(firstVersion)))).toEqual(firstBytes);

    const show = await runCatalogCli(['show'], { LAKE_URI: lake });
    expect(show.stdout).toContain(`current  folder ${lake} ${CATALOG_KEY}: openai, model`);
    expect(show.stdout).toContain(`version  ${firstVersion}\n`);
    expect(show.stdout).toContain(`version  ${current!.version} (current)`);
  });

  it('without a key, says so and writes the seeded catalog, labelled seeded', async () => {
    const lake = lakeOf('no-key');
    const run = await runCatalogCli(['generate', '--songs', '20', '--seed', '4'], { LAKE_URI: lake });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('OPENAI_API_KEY is not set: generating the SEEDED catalog instead (seed 4)');
    expect(run.stdout).toMatch(/20 songs, source seeded \(seed 4\) — fallback: OPENAI_API_KEY is not set/);
    expect(await readCatalogMetadata(join(lake, CATALOG_KEY))).toMatchObject({
      source: 'seeded',
      model: null,
      seed: 4,
    });
    const expected = generateCatalog({ seed: 4, songs: 20 });
    expect(await readCatalogParquet(join(lake, CATALOG_KEY))).toEqual(
      expected.map((song) => ({ ...song, home_regions: null, popularity: null })),
    );
  });

  it('writes nothing when the model keeps answering malformed, and says why', async () => {
    const lake = lakeOf('malformed');
    const broken = await startFakeOpenAi({
      faults: [{ kind: 'not-json' }, { kind: 'off-schema' }, { kind: 'not-json' }],
    });
    try {
      const run = await runCatalogCli(['generate', '--songs', '5', '--concurrency', '1'], {
        LAKE_URI: lake,
        OPENAI_API_KEY: 'sk-any',
        OPENAI_BASE_URL: broken.url,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /catalog: generation failed, nothing written: Batch 1: the model answered malformed 3 times, the last time: the answer is not JSON/,
      );
      expect(await listFiles(lake)).toEqual([]);
    } finally {
      await broken.close();
    }
  });

  it('rejects bad flags with exit code 2', async () => {
    const run = await runCatalogCli(['generate', '--songs', 'many'], { LAKE_URI: lakeOf('flags') });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--songs must be an integer');
  });
});
