import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceFileDurably } from '../../durable-file.ts';

/**
 * A consumer group's checkpoints, `{stream: {shardId: sequence number}}`, in `<dir>/<group>.json`;
 * each save replaces the file atomically (temp file, fsync, rename), one save at a time.
 */
export class CheckpointFile {
  private readonly dir: string;
  private readonly file: string;
  private state: Record<string, Record<string, string>> | undefined;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(dir: string, group: string) {
    this.dir = dir;
    this.file = join(dir, `${encodeURIComponent(group)}.json`);
  }

  async load(): Promise<Record<string, Record<string, string>>> {
    this.state ??= await readFile(this.file, 'utf8')
      .then((text) => JSON.parse(text) as Record<string, Record<string, string>>)
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return {};
        throw error;
      });
    return this.state;
  }

  async save(stream: string, shardId: string, sequenceNumber: string): Promise<void> {
    const state = await this.load();
    this.state = { ...state, [stream]: { ...state[stream], [shardId]: sequenceNumber } };
    const snapshot = `${JSON.stringify(this.state, null, 2)}\n`;
    const result = this.writing.then(async () => {
      await mkdir(this.dir, { recursive: true });
      await replaceFileDurably(this.file, snapshot);
    });
    this.writing = result.catch(() => {});
    return result;
  }
}
