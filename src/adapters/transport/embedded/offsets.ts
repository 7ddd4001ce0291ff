import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFileDurably } from '../../durable-file.ts';

/** Committed offsets of one consumer group on one topic, replaced atomically on each commit. */
export class OffsetFile {
  private readonly file: string;
  private offsets: Record<string, number>;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(dir: string, group: string) {
    this.file = join(dir, `offsets.${group}.json`);
    this.offsets = existsSync(this.file)
      ? (JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, number>)
      : {};
  }

  committed(partition: number): number {
    return this.offsets[partition] ?? 0;
  }

  commit(partition: number, nextOffset: number): Promise<void> {
    this.offsets = { ...this.offsets, [partition]: nextOffset };
    const snapshot = JSON.stringify(this.offsets);
    const result = this.writing.then(() => replaceFileDurably(this.file, snapshot));
    this.writing = result.catch(() => {});
    return result;
  }
}
