import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFolderStore } from '../../../src/adapters/object-store/local-folder.ts';
import { describeObjectStoreContract } from '../../support/object-store-contract.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined) => (data ? new TextDecoder().decode(data) : undefined);

let dir: TempDir;
let store: LocalFolderStore;
beforeEach(async () => {
  dir = await tempDir('folder-store');
  store = new LocalFolderStore(join(dir.path, 'lake'));
});
afterEach(async () => {
  await dir.remove();
});

describeObjectStoreContract('LocalFolderStore', async () => {
  const folder = await tempDir('folder-store-contract');
  return {
    store: new LocalFolderStore(join(folder.path, 'lake')),
    scratchDir: join(folder.path, 'scratch'),
    cleanup: () => folder.remove(),
  };
});

describe('LocalFolderStore', () => {
  it('writes each object as a file at its key under the lake folder, creating folders', async () => {
    await store.put('plays/dt=2026-11-20/hour=10/a.parquet', bytes('rows'), 'application/vnd.apache.parquet');
    expect(text(await store.get('plays/dt=2026-11-20/hour=10/a.parquet'))).toBe('rows');
    expect(await readFile(join(dir.path, 'lake/plays/dt=2026-11-20/hour=10/a.parquet'), 'utf8')).toBe('rows');
  });

  it('writes again into a folder removed since its last write, and into a folder in place of nothing', async () => {
    await store.put('plays/dt=2026-11-20/hour=10/a.parquet', bytes('one'), 'application/vnd.apache.parquet');
    await rm(join(dir.path, 'lake/plays'), { recursive: true });
    await store.put('plays/dt=2026-11-20/hour=10/b.parquet', bytes('two'), 'application/vnd.apache.parquet');
    expect(await store.list('plays/')).toEqual(['plays/dt=2026-11-20/hour=10/b.parquet']);
    expect(await readdir(join(dir.path, 'lake/plays/dt=2026-11-20/hour=10'))).toEqual(['b.parquet']);
  });

  it('deletes an object; deleting a missing key is no error; a key outside the folder is refused', async () => {
    await store.put('doctor-probe.txt', bytes('probe'), 'text/plain');
    await store.delete('doctor-probe.txt');
    expect(existsSync(join(dir.path, 'lake/doctor-probe.txt'))).toBe(false);
    expect(await store.list('')).toEqual([]);
    await expect(store.delete('doctor-probe.txt')).resolves.toBeUndefined();
    await expect(store.delete('../outside.txt')).rejects.toThrow(/escapes the lake folder/);
  });

  it('lists nothing when the lake folder itself does not exist yet', async () => {
    expect(await new LocalFolderStore(join(dir.path, 'never-created')).list('plays/')).toEqual([]);
    expect(await new LocalFolderStore(join(dir.path, 'never-created')).list('')).toEqual([]);
  });

  it('refuses keys that escape the lake folder, and writes nothing outside it', async () => {
    for (const key of [
      '../outside.parquet',
      'plays/../../outside.parquet',
      '/tmp/absolute.parquet',
      '',
      '.',
    ]) {
      await expect(store.put(key, bytes('x'), 'x')).rejects.toThrow('escapes the lake folder');
      await expect(store.get(key)).rejects.toThrow('escapes the lake folder');
    }
    expect(existsSync(join(dir.path, 'outside.parquet'))).toBe(false);
    // A key with `..` that stays inside is fine.
    await store.put('plays/../catalog/songs.parquet', bytes('ok'), 'x');
    expect(text(await store.get('catalog/songs.parquet'))).toBe('ok');
  });

  it('leaves no temporary files behind, and never lists one (a crashed write)', async () => {
    await store.put('plays/dt=2026-11-20/hour=10/a.parquet', bytes('a'), 'x');
    await store.put('plays/dt=2026-11-20/hour=10/a.parquet', bytes('b'), 'x');
    const files = await readdir(join(dir.path, 'lake'), { recursive: true });
    expect(files.filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const leftover = join(dir.path, 'lake/plays/dt=2026-11-20/hour=10/b.parquet.0b7c7f3e.tmp');
    await mkdir(dirname(leftover), { recursive: true });
    await writeFile(leftover, 'half a file');
    expect(await store.list('plays/')).toEqual(['plays/dt=2026-11-20/hour=10/a.parquet']);
  });

  it('gives its own files as local copies', async () => {
    await store.put('plays/dt=2026-11-20/hour=10/a.parquet', bytes('a'), 'x');
    const [path] = await store.localCopies(['plays/dt=2026-11-20/hour=10/a.parquet']);
    expect(path).toBe(join(dir.path, 'lake/plays/dt=2026-11-20/hour=10/a.parquet'));
    expect(await readFile(path!, 'utf8')).toBe('a');
  });
});
