/** Helpers shared by the dev services (and scripts/deploy): commands, ports, detached processes and pid files. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive } from '../../src/adapters/process-liveness.ts';

export class ServiceError extends Error {
  override name = 'ServiceError';
}

/** Progress goes to stderr, so that stdout carries only the `export …` lines (`eval "$(npm run -s services:up)"`). */
export function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Runs a command to completion; throws a ServiceError naming `hint` when the command is not installed. */
export function run(
  command: string,
  args: readonly string[],
  hint: string,
): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ServiceError(`\`${command}\` was not found on PATH: ${hint}`);
    }
    throw result.error;
  }
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** `run`, failing with the command's output when it exits non-zero; `what` names the step in that message. */
export function runOrFail(command: string, args: readonly string[], what: string, hint: string): void {
  const result = run(command, args, hint);
  if (result.status !== 0) {
    throw new ServiceError(`${what} failed:\n${`${result.stdout}\n${result.stderr}`.trim()}`);
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Fails with a clear message when a port a service listens on is taken by another process. */
export async function requireFreePorts(
  name: string,
  ports: readonly { readonly port: number; readonly setting: string }[],
): Promise<void> {
  for (const { port, setting } of ports) {
    if (await portOpen(port)) {
      throw new ServiceError(
        `${name}: port ${port} on 127.0.0.1 is already in use by another process (\`ss -ltnp | grep :${port}\` shows ` +
          `which); stop it, or choose another port with ${setting}`,
      );
    }
  }
}

/**
 * The pid in `pidFile` if that process is alive and its command line contains `marker` (so a pid reused by
 * an unrelated process after a reboot is never signalled); removes a stale pid file.
 */
export function runningPid(pidFile: string, marker: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      // No /proc (not Linux): trust the pid file.
      return pid;
    }
    if (cmdline.includes(marker)) return pid;
  }
  rmSync(pidFile, { force: true });
  return undefined;
}

/** Starts a long-running process in its own session, detached from this one, output to `logFile`. */
export function spawnDetached(
  command: string,
  args: readonly string[],
  options: { cwd: string; logFile: string; pidFile: string; env?: NodeJS.ProcessEnv },
): ChildProcess & { pid: number } {
  const out = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', out, out],
    });
    const { pid } = child;
    if (pid === undefined) throw new ServiceError(`Could not start ${command}`);
    child.unref();
    writeFileSync(options.pidFile, `${pid}\n`);
    return Object.assign(child, { pid });
  } finally {
    closeSync(out);
  }
}

/**
 * SIGTERM, then waits for the exit; SIGKILL after `timeoutMs`. Then ends what the service left behind in its
 * process group (spawnDetached makes the service its group's leader): children it started and did not stop,
 * such as MiniStack's Lambda workers, would otherwise outlive `services:down` holding ports and memory. The
 * leader is signalled first, alone, so that a server which stops its own children (PostgreSQL) does so in order.
 */
export async function stopProcess(pid: number, timeoutMs: number): Promise<'stopped' | 'killed'> {
  const how = await stopLeader(pid, timeoutMs);
  await stopGroupLeftovers(pid);
  return how;
}

async function stopLeader(pid: number, timeoutMs: number): Promise<'stopped' | 'killed'> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'stopped';
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return 'stopped';
    await sleep(200);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  while (isProcessAlive(pid)) await sleep(100);
  return 'killed';
}

const LEFTOVER_GRACE_MS = 3_000;

/** Whether any process is left in the process group `groupId` (signal 0 tests without signalling). */
function groupAlive(groupId: number): boolean {
  try {
    process.kill(-groupId, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopGroupLeftovers(groupId: number): Promise<void> {
  try {
    process.kill(-groupId, 'SIGTERM');
  } catch {
    return; // nothing was left
  }
  const deadline = Date.now() + LEFTOVER_GRACE_MS;
  while (groupAlive(groupId) && Date.now() < deadline) await sleep(100);
  try {
    process.kill(-groupId, 'SIGKILL');
  } catch {
    // all gone in the meantime
  }
}

/** The last `lines` lines of a text file, or a note that it does not exist. */
export function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return `(no ${file})`;
  const text = readFileSync(file, 'utf8').trimEnd().split('\n');
  return text.slice(-lines).join('\n');
}

/** A port from an environment setting, or the default. */
export function portSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new ServiceError(`${name}=${raw} is not a TCP port`);
  return port;
}
