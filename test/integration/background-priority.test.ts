/**
 * `npm start` serves HTTP from its event loop and runs the rest at a lower priority (local/background-priority.ts):
 * V8's helper threads, the embedded PostgreSQL. Read from /proc, as the scheduler sees them.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalProcess, startLocalProcess } from '../../devkit/local-process.ts';
import { makeTempDir, type TempDir } from '../../devkit/temp-dir.ts';
import { BACKGROUND_NICE } from '../../local/background-priority.ts';
import { childProcessesOf, threadsOf } from '../support/proc.ts';

/** PostgreSQL's server (its pid is the first line of postmaster.pid) and every process whose parent it is. */
function postgresProcesses(pgdata: string): number[] {
  const server = Number(readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return [server, ...childProcessesOf(server)];
}

describe.runIf(process.platform === 'linux')('npm start’s priorities', () => {
  let running: LocalProcess | undefined;
  let dataDir: TempDir | undefined;

  afterEach(async () => {
    await running?.stop('SIGTERM');
    await dataDir?.remove();
  });

  it('keeps its event loop at its own priority; V8’s helpers and the embedded PostgreSQL run below it', async () => {
    dataDir = await makeTempDir('priorities');
    running = await startLocalProcess({ TOP_SONGS_DATA_DIR: dataDir.path }, ['--no-simulator']);
    const runtime = threadsOf(running.child.pid!);
    // Its loop keeps the priority it was started with (this process's); the rest goes BACKGROUND_NICE below it.
    expect(runtime.find((thread) => thread.id === running!.child.pid)?.nice).toBe(getPriority());
    const background = Math.min(19, getPriority() + BACKGROUND_NICE);
    const helpers = runtime.filter((thread) => thread.name.startsWith('V8Worker'));
    expect(helpers.length).toBeGreaterThan(0);
    expect(helpers.map((thread) => thread.nice)).toEqual(helpers.map(() => background));

    const postgres = postgresProcesses(realpathSync(join(dataDir.path, 'postgres', 'pgdata')));
    // The server and its own processes (checkpointer, writers, the launchers, the runtime's connections).
    expect(postgres.length).toBeGreaterThan(3);
    const nices = postgres.flatMap((pid) => threadsOf(pid).map((thread) => thread.nice));
    expect(nices).toEqual(nices.map(() => background));
  });
});
