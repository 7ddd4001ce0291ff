import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive } from '../process-liveness.ts';

/**
 * The server already running on this data folder, if any. A killed run leaves postmaster.pid
 * behind naming a dead process: that file is removed so PostgreSQL starts again.
 */
export async function runningServer(pgdata: string): Promise<{ pid: number; port: number } | undefined> {
  const pidFile = join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  // postmaster.pid: pid, data directory, start time, port, ... one per line.
  const [pid, , , port] = (await readFile(pidFile, 'utf8')).split('\n');
  if (isProcessAlive(Number(pid))) return { pid: Number(pid), port: Number(port) };
  await rm(pidFile, { force: true });
  return undefined;
}

/** Fast shutdown of a server (SIGINT), waiting until it has exited; one already gone is stopped. */
export async function stopServer(pid: number): Promise<void> {
  // 0 or less would signal a whole process group.
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  const deadline = Date.now() + 30_000;
  while (isProcessAlive(pid) && Date.now() < deadline) await sleep(50);
}
