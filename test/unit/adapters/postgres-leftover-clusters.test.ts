import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clusterFolder } from '../../../src/adapters/postgres/cluster-folder.ts';
import {
  leftoverClusters,
  leftoversSummary,
  OWNER_FILE,
  removeLeftoverCluster,
} from '../../../src/adapters/postgres/leftover-clusters.ts';

let dir: string;
let root: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leftover-clusters-'));
  root = join(dir, 'clusters');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A cluster's folder as clusterFolder leaves it: `pgdata` with a file of `bytes`, and its owner record. */
async function cluster(name: string, dataDir: string, bytes: number, record: 'owner' | 'readme' = 'owner') {
  const home = join(root, name);
  await mkdir(join(home, 'pgdata'), { recursive: true });
  await writeFile(join(home, 'pgdata', 'PG_VERSION'), 'x'.repeat(bytes));
  const link = join(dataDir, 'pgdata');
  if (record === 'owner')
    await writeFile(join(home, OWNER_FILE), JSON.stringify({ data_dir: dataDir, link }));
  else
    await writeFile(
      join(home, 'README'),
      `The embedded PostgreSQL files of ${dataDir}, linked from ${link}.\n`,
    );
  return { home, link, pgdata: join(home, 'pgdata') };
}

describe('leftoverClusters', () => {
  it('lists the clusters no data folder links to any more, with their size, and keeps the linked ones', async () => {
    const kept = await cluster('kept', join(dir, 'app', '.data', 'postgres'), 10);
    await mkdir(join(dir, 'app', '.data', 'postgres'), { recursive: true });
    await symlink(kept.pgdata, kept.link);
    // The data folder deleted: its link went with it.
    const deleted = await cluster('deleted', join(dir, 'gone', '.data', 'postgres'), 1000);
    // A cluster from before owner records, its folder deleted too.
    const older = await cluster('older', join(dir, 'old', '.data', 'postgres'), 300, 'readme');
    // The folder exists again, but its link now points at another cluster (it was deleted and started afresh).
    const replaced = await cluster('replaced', join(dir, 'again', '.data', 'postgres'), 7);
    await mkdir(join(dir, 'again', '.data', 'postgres'), { recursive: true });
    await symlink(kept.pgdata, replaced.link);
    // Not ours: no record at all.
    await mkdir(join(root, 'stranger'), { recursive: true });

    const leftovers = await leftoverClusters(root);

    expect(leftovers.map((leftover) => leftover.home).sort()).toEqual(
      [deleted.home, older.home, replaced.home].sort(),
    );
    const byHome = new Map(leftovers.map((leftover) => [leftover.home, leftover]));
    expect(byHome.get(deleted.home)).toEqual({
      home: deleted.home,
      dataDir: join(dir, 'gone', '.data', 'postgres'),
      bytes:
        1000 +
        JSON.stringify({ data_dir: join(dir, 'gone', '.data', 'postgres'), link: deleted.link }).length,
    });
    expect(byHome.get(older.home)?.dataDir).toBe(join(dir, 'old', '.data', 'postgres'));
  });

  it('takes a moved data folder for no leftover once it has been started where it is now', async () => {
    const moved = await cluster('moved', join(dir, 'before', '.data', 'postgres'), 10);
    const now = join(dir, 'after', '.data', 'postgres');
    await mkdir(now, { recursive: true });
    await symlink(moved.pgdata, join(now, 'pgdata'));
    // Moved, not started yet: the record still names the old place.
    expect((await leftoverClusters(root)).map((leftover) => leftover.home)).toEqual([moved.home]);

    expect(await clusterFolder(now, { kind: 'self' })).toBe(await realpath(moved.pgdata));
    expect(await leftoverClusters(root)).toEqual([]);
  });

  it('finds nothing where there is no shared folder, and ignores an unreadable owner record', async () => {
    expect(await leftoverClusters(join(dir, 'none'))).toEqual([]);
    await mkdir(join(root, 'broken'), { recursive: true });
    await writeFile(join(root, 'broken', OWNER_FILE), '{not json');
    expect(await leftoverClusters(root)).toEqual([]);
  });

  it('removes a leftover, and sums them up for the doctor', async () => {
    const deleted = await cluster('deleted', join(dir, 'gone', '.data', 'postgres'), 3 * 1_048_576);
    const [leftover] = await leftoverClusters(root);
    expect(leftoversSummary([leftover!])).toBe(
      `a database of data folders gone since (3 MB: ${join(dir, 'gone', '.data', 'postgres')}); npm run doctor -- --remove-leftovers removes them`,
    );
    expect(leftoversSummary([])).toBeUndefined();
    await removeLeftoverCluster(leftover!);
    expect(existsSync(deleted.home)).toBe(false);
  });
});
