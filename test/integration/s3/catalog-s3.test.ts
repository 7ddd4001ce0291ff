/**
 * `npm run catalog -- generate` into an S3 lake (a real S3-compatible server, LAKE_URI=s3://…): the CLI as a
 * child process, the real `openai` client against the test server; a second run keeps the first version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/settings.ts';
import { CATALOG_KEY, CATALOG_VERSIONS_PREFIX, catalogVersionKey } from '../../../src/domain/lake-layout.ts';
import type { ObjectStore } from '../../../src/ports/object-store.ts';
import { currentCatalog, readCurrentSongs } from '../../../src/use-cases/catalog-in-lake.ts';
import { catalogFiles } from '../../../src/wiring/catalog-files.ts';
import { createDependencies } from '../../../src/wiring/dependencies.ts';
import { type FakeOpenAi, startFakeOpenAi } from '../../support/openai-server.ts';
import { runCatalogCli } from '../catalog/catalog-cli-process.ts';
import { deleteLakePrefix, s3Skipped, uniqueLakeUri } from './s3-lake.ts';

describe.skipIf(s3Skipped)(`the catalog in an S3 lake (${s3Skipped ?? 'running'})`, () => {
  const lakeUri = uniqueLakeUri('catalog');
  let lake: ObjectStore;
  let fake: FakeOpenAi;

  beforeAll(async () => {
    lake = createDependencies(loadSettings({ ...process.env, LAKE_URI: lakeUri })).lake();
    fake = await startFakeOpenAi();
  });
  afterAll(async () => {
    await fake?.close();
    if (!s3Skipped) await deleteLakePrefix(lakeUri);
  });

  it('writes the current catalog and its version, and keeps the previous version', async () => {
    const env = { LAKE_URI: lakeUri, OPENAI_API_KEY: 'sk-s3', OPENAI_BASE_URL: fake.url };
    const first = await runCatalogCli(['generate', '--songs', '15', '--batch-size', '5'], env);
    expect(first.code, first.stderr).toBe(0);
    const firstState = await currentCatalog(lake, catalogFiles);
    expect(firstState).toMatchObject({ exists: true, metadata: { source: 'openai', songs: 15 } });
    const firstVersion = firstState.exists ? firstState.metadata!.version : '';
    const firstBytes = await lake.get(catalogVersionKey(firstVersion));

    const second = await runCatalogCli(['generate', '--songs', '8', '--seeded'], { LAKE_URI: lakeUri });
    expect(second.code, second.stderr).toBe(0);
    const secondState = await currentCatalog(lake, catalogFiles);
    expect(secondState).toMatchObject({ exists: true, metadata: { source: 'seeded', seed: 1, songs: 8 } });
    const secondVersion = secondState.exists ? secondState.metadata!.version : '';

    expect(await lake.list('catalog/')).toEqual(
      [CATALOG_KEY, catalogVersionKey(firstVersion), catalogVersionKey(secondVersion)].sort(),
    );
    expect(await lake.list(CATALOG_VERSIONS_PREFIX)).toHaveLength(2);
    expect(await lake.get(catalogVersionKey(firstVersion))).toEqual(firstBytes);
    expect(await readCurrentSongs(lake, catalogFiles)).toHaveLength(8);
  });
});
