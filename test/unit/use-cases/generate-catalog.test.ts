import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedSongs } from '../../../src/adapters/catalog/fixed-song-source.ts';
import { LocalFolderStore } from '../../../src/adapters/object-store/local-folder.ts';
import { CATALOG_KEY, CATALOG_VERSIONS_PREFIX } from '../../../src/domain/lake-layout.ts';
import type { Song } from '../../../src/domain/song.ts';
import type { SongSource } from '../../../src/ports/song-source.ts';
import { currentCatalog, readCurrentSongs } from '../../../src/use-cases/catalog-in-lake.ts';
import { type CatalogRequest, generateCatalogVersion } from '../../../src/use-cases/generate-catalog.ts';
import { catalogFiles } from '../../../src/wiring/catalog-files.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const song = (n: number): Song => ({
  song_id: `song-${n}`,
  title: `Title ${n}`,
  artist: `Artist ${n}`,
  genre: 'pop',
});
const modelSource = (songs: readonly Song[]): SongSource => ({
  source: 'openai',
  model: 'test-model',
  seed: null,
  songs: async () => [...songs],
});

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('generate-catalog');
});
afterAll(async () => dir.remove());

let clockMs = Date.parse('2026-03-01T10:00:00Z');
/** A second later at each reading, so that each version has a name of its own. */
const clock = () => {
  clockMs += 1000;
  return new Date(clockMs);
};
const ensure: CatalogRequest = { mode: 'ensure', songs: 3, regions: ['us'] };
const run = (lake: LocalFolderStore, source: SongSource, request: CatalogRequest = ensure) =>
  generateCatalogVersion({ lake, files: catalogFiles, source, clock }, request);
const versions = async (lake: LocalFolderStore) => (await lake.list(CATALOG_VERSIONS_PREFIX)).length;

describe('generateCatalogVersion', () => {
  it('ensure: writes a catalog into an empty lake, then keeps it', async () => {
    const lake = new LocalFolderStore(join(dir.path, 'ensure'));
    const first = await run(lake, fixedSongs([song(1)]));
    expect(first).toMatchObject({ written: true, replaced: false, metadata: { source: 'seeded', songs: 1 } });
    const again = await run(lake, fixedSongs([song(2)]));
    expect(again).toMatchObject({
      written: false,
      reason: expect.stringMatching(/has a catalog already \(seeded/),
    });
    expect(await readCurrentSongs(lake, catalogFiles)).toMatchObject([{ song_id: 'song-1' }]);
    expect(await versions(lake)).toBe(1);
  });

  it('ensure: replaces a seeded catalog once a chat model is at hand, keeping it as a version; then keeps that', async () => {
    const lake = new LocalFolderStore(join(dir.path, 'upgrade'));
    await run(lake, fixedSongs([song(1)]));
    const upgraded = await run(lake, modelSource([song(2), song(3)]));
    expect(upgraded).toMatchObject({
      written: true,
      replaced: true,
      previous: { source: 'seeded' },
      metadata: { source: 'openai', model: 'test-model', songs: 2, regions: ['us'] },
    });
    expect(await run(lake, modelSource([song(4)]))).toMatchObject({ written: false });
    expect((await readCurrentSongs(lake, catalogFiles))?.map((found) => found.song_id)).toEqual([
      'song-2',
      'song-3',
    ]);
    expect(await versions(lake)).toBe(2);
  });

  it('generate: always writes a new version', async () => {
    const lake = new LocalFolderStore(join(dir.path, 'generate'));
    await run(lake, modelSource([song(1)]), { ...ensure, mode: 'generate' });
    const second = await run(lake, modelSource([song(2)]), { ...ensure, mode: 'generate' });
    expect(second).toMatchObject({ written: true, previous: { source: 'openai' } });
    expect(await versions(lake)).toBe(2);
  });

  it('leaves the previous catalog current, and adds no version, when generation fails', async () => {
    const lake = new LocalFolderStore(join(dir.path, 'failure'));
    await run(lake, fixedSongs([song(1)]));
    const before = await currentCatalog(lake, catalogFiles);
    const failing: SongSource = {
      ...modelSource([]),
      songs: async () => Promise.reject(new Error('model down')),
    };
    await expect(run(lake, failing, { ...ensure, mode: 'generate' })).rejects.toThrow('model down');
    await expect(run(lake, modelSource([]), { ...ensure, mode: 'generate' })).rejects.toThrow(
      /produced no songs/,
    );
    expect(await currentCatalog(lake, catalogFiles)).toEqual(before);
    expect(await lake.list(CATALOG_KEY)).toEqual([CATALOG_KEY]);
    expect(await versions(lake)).toBe(1);
  });
});
