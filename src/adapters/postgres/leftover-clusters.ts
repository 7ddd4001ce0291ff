/**
 * Databases of SHARED_CLUSTERS whose data folder is gone (see clusterFolder): root ran `npm start` in a folder
 * only root may enter, the files went to SHARED_CLUSTERS, and the folder was deleted later. Nothing finds them
 * again, so they are listed by `npm run doctor` and removed only when asked (`--remove-leftovers`): a data
 * folder that was moved still links to its files, and is no leftover once it has been started where it is now.
 */
import { readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runningServer, stopServer } from './postmaster.ts';

/** The file of a cluster's folder that names the link it belongs to (written by clusterFolder). */
export const OWNER_FILE = 'owner.json';

export interface ClusterOwner {
  /** The data folder (`.data/postgres`) the files belong to. */
  readonly data_dir: string;
  /** Its `pgdata` link, which points at the cluster's `pgdata`. */
  readonly link: string;
}

export interface LeftoverCluster {
  /** The cluster's folder in SHARED_CLUSTERS. */
  readonly home: string;
  /** The data folder it was made for, which no longer links to it. */
  readonly dataDir: string;
  readonly bytes: number;
}

/** The clusters under `root` that no data folder links to and no server runs on, oldest listing order. */
export async function leftoverClusters(root: string): Promise<LeftoverCluster[]> {
  const homes = await readdir(root, { withFileTypes: true }).catch(() => []);
  const leftovers: LeftoverCluster[] = [];
  for (const entry of homes) {
    if (!entry.isDirectory()) continue;
    const home = join(root, entry.name);
    const owner = await ownerOf(home);
    if (!owner) continue; // not one of ours: left alone
    const pgdata = join(home, 'pgdata');
    const linked = await realpath(owner.link).catch(() => undefined);
    if (linked !== undefined && linked === (await realpath(pgdata).catch(() => pgdata))) continue;
    if (await runningServer(pgdata)) continue;
    leftovers.push({ home, dataDir: owner.data_dir, bytes: await folderBytes(home) });
  }
  return leftovers;
}

/** Removes a leftover cluster, stopping a server that was started on it since it was listed. */
export async function removeLeftoverCluster(leftover: LeftoverCluster): Promise<void> {
  const running = await runningServer(join(leftover.home, 'pgdata'));
  if (running) await stopServer(running.pid);
  await rm(leftover.home, { recursive: true, force: true });
}

/** One line for people: how many, how large, whose, and the command that removes them. */
export function leftoversSummary(leftovers: readonly LeftoverCluster[]): string | undefined {
  if (leftovers.length === 0) return undefined;
  const megabytes = Math.round(leftovers.reduce((sum, leftover) => sum + leftover.bytes, 0) / 1_048_576);
  const folders = leftovers.map((leftover) => leftover.dataDir).join(', ');
  const count = leftovers.length === 1 ? 'a database' : `${leftovers.length} databases`;
  return `${count} of data folders gone since (${megabytes} MB: ${folders}); npm run doctor -- --remove-leftovers removes them`;
}

/** The owner record, or for clusters made before it, the same facts from their README. */
async function ownerOf(home: string): Promise<ClusterOwner | undefined> {
  const record = await readFile(join(home, OWNER_FILE), 'utf8').catch(() => undefined);
  if (record !== undefined) {
    const parsed = parseOwner(record);
    return typeof parsed?.data_dir === 'string' && typeof parsed.link === 'string'
      ? { data_dir: parsed.data_dir, link: parsed.link }
      : undefined;
  }
  const readme = await readFile(join(home, 'README'), 'utf8').catch(() => '');
  const match = /^The embedded PostgreSQL files of (.+), linked from (.+)\.$/m.exec(readme);
  return match ? { data_dir: match[1]!, link: match[2]! } : undefined;
}

function parseOwner(text: string): Partial<ClusterOwner> | undefined {
  try {
    return JSON.parse(text) as Partial<ClusterOwner>;
  } catch {
    return undefined; // unreadable: not taken for a leftover
  }
}

async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map((entry) =>
        stat(join(entry.parentPath, entry.name)).then(
          (info) => info.size,
          () => 0,
        ),
      ),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}
