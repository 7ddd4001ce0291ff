import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { ObjectStore, StoredObject } from '../../ports/object-store.ts';
import { replaceFileDurably } from '../durable-file.ts';

/**
 * The data lake as a folder. Writes go to a temporary file, are flushed to disk and renamed into
 * place, so a reader (or a crash) never sees half a file.
 */
export class LocalFolderStore implements ObjectStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error(`Key "${key}" escapes the lake folder`);
    return path;
  }

  /** The content type is S3 metadata; a folder has nowhere to keep it. */
  async put(key: string, body: Uint8Array, _contentType?: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await replaceFileDurably(path, body);
    } catch (error) {
      // The folder is there for all but a key's first file: made only when missing, a syscall less per file.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(dirname(path), { recursive: true });
      await replaceFileDurably(path, body);
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    return this.walk(prefix);
  }

  async listObjects(prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    for (const key of await this.walk(prefix)) {
      const info = await stat(this.pathOf(key), { bigint: true }).catch((error: NodeJS.ErrnoException) => {
        // Deleted between the walk and now: not part of the listing.
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (info) objects.push({ key, size: Number(info.size), etag: `${info.mtimeNs}-${info.ino}` });
    }
    return objects;
  }

  /** Every key under the prefix, sorted. */
  private async walk(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (!entry.name.endsWith('.tmp')) keys.push(relative(this.root, path).split(sep).join('/'));
      }
    };
    // Walk from the deepest folder the prefix names, then filter on the full prefix.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const start = resolve(this.root, folder);
    if (start !== this.root && !start.startsWith(this.root + sep))
      throw new Error(`Prefix "${prefix}" escapes the lake folder`);
    await walk(start);
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  async localCopies(keys: readonly string[]): Promise<string[]> {
    return keys.map((key) => this.pathOf(key));
  }

  describe(): string {
    return `folder ${this.root}`;
  }
}
