import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from '../../process-liveness.ts';

/** The folders open in this process (the pid file cannot tell two opens by one process apart). */
const openInThisProcess = new Set<string>();

const lockFileOf = (dir: string) => join(dir, 'owner.pid');

/** The pid written by the last process that opened the folder (0 for none); it may have exited since. */
export function folderOwner(dir: string): number {
  const lockFile = lockFileOf(dir);
  return existsSync(lockFile) ? Number(readFileSync(lockFile, 'utf8')) : 0;
}

/** Makes sure one process at a time owns an embedded transport folder; returns the release. */
export function lockFolder(dir: string): () => void {
  const lockFile = lockFileOf(dir);
  if (openInThisProcess.has(lockFile)) {
    throw new Error(`The embedded transport in ${dir} is already open in this process; share that instance`);
  }
  const owner = folderOwner(dir);
  if (owner !== process.pid && isProcessAlive(owner)) {
    throw new Error(
      `The embedded transport in ${dir} belongs to process ${owner} (a running npm start). ` +
        'Send plays to its HTTP API instead, or use Kafka (KAFKA_BROKERS) to share a transport between processes.',
    );
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(lockFile, String(process.pid));
  openInThisProcess.add(lockFile);
  return () => {
    openInThisProcess.delete(lockFile);
    rmSync(lockFile, { force: true });
  };
}
