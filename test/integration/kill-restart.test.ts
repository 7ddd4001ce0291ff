import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedCommittedOffsets } from '../../devkit/embedded-transport.ts';
import { recentPlay } from '../../devkit/play-batches.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { expectExactlyOnceAcrossKill } from '../support/exact-pipeline.ts';

/**
 * Local mode's guarantee (docs/operations.md): every play answered with 202 reaches the lake
 * exactly once, even when the process is killed (SIGKILL) while the lake writer is mid-stream.
 */
describe('killing npm start', () => {
  let dataDir: { path: string; remove: () => Promise<void> };

  beforeAll(async () => {
    dataDir = await makeTempDir('kill');
  });

  afterAll(async () => {
    // A killed run orphans its PostgreSQL; the restarted one replaced it and stopped its own.
    await dataDir.remove();
  });

  it('loses no acknowledged play and duplicates none', async () => {
    await expectExactlyOnceAcrossKill({
      env: { TOP_SONGS_DATA_DIR: dataDir.path },
      dataDir: dataDir.path,
      events: Array.from({ length: 4000 }, () => recentPlay()),
      committed: () => embeddedCommittedOffsets(dataDir.path),
    });
    // Stopped with SIGTERM at the end: the embedded PostgreSQL went with it.
    const pid = await readFile(join(dataDir.path, 'postgres', 'pgdata', 'postmaster.pid'), 'utf8').catch(
      () => '',
    );
    expect(pid).toBe('');
  });
});
