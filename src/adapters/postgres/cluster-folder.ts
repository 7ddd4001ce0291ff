import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readlink, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type ClusterOwner, OWNER_FILE } from './leftover-clusters.ts';
import { runningServer, stopServer } from './postmaster.ts';
import { canEnter, mkdirOpen, type ServerUser } from './server-user.ts';

/** Where, as root, the database files go when the `postgres` account cannot reach the data folder. */
export const SHARED_CLUSTERS = '/var/lib/top-songs/postgres';

/**
 * The folder PostgreSQL keeps its files in (`pgdata`), for the data folder `dataDir` (`.data/postgres`):
 * `dataDir/pgdata` itself when the server's user can reach it; else (root, in a folder only root may enter)
 * a folder of SHARED_CLUSTERS that `dataDir/pgdata` links to. The link keeps `dataDir` the one place to look
 * and to delete: after a delete, the next start finds no link and starts afresh, removing what the old link
 * pointed to. Returns a real path: the server's user could not follow a link that lies in `dataDir`.
 */
export async function clusterFolder(dataDir: string, user: ServerUser): Promise<string> {
  const link = join(dataDir, 'pgdata');
  const entry = await lstat(link).catch(() => undefined);
  if (entry?.isSymbolicLink()) {
    const target = resolve(dataDir, await readlink(link));
    // Someone removed the files it pointed to: a fresh, empty database there.
    await mkdir(target, { recursive: true });
    // A data folder moved since: the record names where it is now, so that it is not taken for a leftover.
    const home = dirname(target);
    if (existsSync(join(home, OWNER_FILE)) || existsSync(join(home, 'README')))
      await recordOwner(home, dataDir, link).catch(() => {}); // a record, not a need: only root may write it
    return realpath(target);
  }
  if (user.kind === 'self') return link;
  if (entry && (await canEnter(user, link))) return link;
  if (!entry && (await canEnter(user, dataDir))) return link;

  const home = join(
    SHARED_CLUSTERS,
    createHash('sha256')
      .update(await realpath(dataDir))
      .digest('hex')
      .slice(0, 16),
  );
  const target = join(home, 'pgdata');
  if (!entry || !existsSync(join(link, 'PG_VERSION'))) {
    // What is there belongs to no link any more (its data folder was deleted), or was never initialised.
    await stopOrphan(target);
    await rm(home, { recursive: true, force: true });
    await rm(link, { recursive: true, force: true });
    await mkdirOpen(home);
  } else {
    // A database made while its folder could be reached: moved where it can be (same file system only).
    await mkdirOpen(home);
    await rm(target, { recursive: true, force: true });
    await rename(link, target).catch((error: NodeJS.ErrnoException) => {
      throw new Error(
        `the postgres account cannot reach ${link}, and it could not be moved to ${target} (${error.code}): move it there, or delete it to start afresh`,
      );
    });
  }
  await recordOwner(home, dataDir, link);
  await symlink(target, link);
  return target;
}

/** Says whose files these are: for people (README) and for `npm run doctor`'s leftovers (owner.json). */
async function recordOwner(home: string, dataDir: string, link: string): Promise<void> {
  const owner: ClusterOwner = { data_dir: dataDir, link };
  await writeFile(join(home, OWNER_FILE), `${JSON.stringify(owner)}\n`);
  await writeFile(
    join(home, 'README'),
    `The embedded PostgreSQL files of ${dataDir}, linked from ${link}.\n`,
  );
}

/** Stops a server still running on files that are about to be removed. */
async function stopOrphan(pgdata: string): Promise<void> {
  const running = await runningServer(pgdata);
  if (running) await stopServer(running.pid);
}
