/**
 * The compact function as a user runs it, `npm run invoke -- compact --event -`, on a folder lake: it compacts
 * an hour, and a kill -9 in the middle of a compaction leaves readers exact charts and the next run finishes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invokeLocally, localModeEnv } from '../../devkit/local-process.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { LocalFolderStore } from '../../src/adapters/object-store/local-folder.ts';
import { isWriterPlaysFile } from '../../src/domain/lake-layout.ts';
import { COMPACTION_HOUR, expectExactCharts, keysToRead, writeTrafficHour } from '../support/compaction.ts';

const root = resolve(import.meta.dirname, '../..');
const event = { period: 'hour', window_start: COMPACTION_HOUR.toISOString() };

describe('compact, invoked locally', () => {
  let dataDir: Awaited<ReturnType<typeof makeTempDir>>;
  let lake: LocalFolderStore;
  beforeEach(async () => {
    dataDir = await makeTempDir('compact');
    lake = new LocalFolderStore(join(dataDir.path, 'lake'));
  });
  afterEach(async () => dataDir?.remove());

  it('compacts the hour it is given, then finds it up to date', async () => {
    const { deliveries } = await writeTrafficHour(lake, 1_500);
    const first = JSON.parse(await invokeLocally({ TOP_SONGS_DATA_DIR: dataDir.path }, 'compact', event));
    expect(first.hours).toMatchObject([{ window_start: event.window_start, status: 'compacted', files: 1 }]);
    await expectExactCharts(lake, deliveries);
    const second = JSON.parse(await invokeLocally({ TOP_SONGS_DATA_DIR: dataDir.path }, 'compact', event));
    expect(second.hours).toMatchObject([{ status: 'up to date', writer_files: 0 }]);
  });

  it('killed with SIGKILL while compacting: readers still see exact charts, the next run completes', async () => {
    const { deliveries } = await writeTrafficHour(lake, 20_000, { batchSize: 200 });
    // Its scratch folder is ours to watch: the kill comes once DuckDB is writing the compacted file.
    const tmp = join(dataDir.path, 'tmp');
    await mkdir(tmp);
    const child = spawn(process.execPath, [join(root, 'local/invoke.ts'), 'compact', '--event', '-'], {
      cwd: root,
      env: { ...localModeEnv(), TOP_SONGS_DATA_DIR: dataDir.path, TMPDIR: tmp, POWERTOOLS_LOG_LEVEL: 'WARN' },
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    child.stdin.end(JSON.stringify(event));
    const exited = new Promise<NodeJS.Signals | null>((done) =>
      child.on('exit', (_, signal) => done(signal)),
    );
    await waitFor('DuckDB writing the compacted file', () => compactedOutputIn(tmp, child), 120_000, 5);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    await expectExactCharts(lake, deliveries);
    const next = JSON.parse(await invokeLocally({ TOP_SONGS_DATA_DIR: dataDir.path }, 'compact', event));
    expect(next.hours).toMatchObject([{ status: 'compacted' }]);
    await expectExactCharts(lake, deliveries);
    const keys = await keysToRead(lake);
    expect(keys.filter(isWriterPlaysFile)).toEqual([]);
  }, 240_000);
});

/** True once a `compacted/` output folder exists in a scratch folder under `tmp`; fails if the child ended. */
async function compactedOutputIn(tmp: string, child: ChildProcess): Promise<true | undefined> {
  if (child.exitCode !== null) throw new Error(`compact ended (${child.exitCode}) before it was killed`);
  const entries = await readdir(tmp, { recursive: true }).catch(() => [] as string[]);
  return entries.some((entry) => entry.endsWith('compacted')) ? true : undefined;
}
