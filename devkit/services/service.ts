/**
 * What `scripts/services.ts` needs from each service it can start natively, and the one factory every service
 * module configures (`defineService`): the up/ready/export/down sequence lives here once; a service says
 * what to install, how to start, how to tell it is ready, what to provision, what settings to export.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  requireFreePorts,
  runningPid,
  ServiceError,
  say,
  spawnDetached,
  stopProcess,
  tail,
} from './process.ts';

export interface ServicePaths {
  /** Downloads and installs, shared by every run folder: `TOP_SONGS_CACHE` (default ~/.cache/top-songs). */
  readonly cacheDir: string;
  /** Data, logs and pid files: `TOP_SONGS_STACK_DIR` (default `$TOP_SONGS_CACHE/stack`), one folder per service. */
  readonly runDir: string;
  /** The project's root, where `devkit/services/<service>/` holds the service's pinned versions and templates. */
  readonly projectDir: string;
}

export interface DownOptions {
  /** Also delete the service's data and logs. */
  readonly clean: boolean;
}

export interface DevService {
  readonly name: string;
  readonly description: string;
  /**
   * Started only when named (`npm run services:up -- emulator`), never by a bare `services:up`: its settings
   * (AWS_ENDPOINT_URL) would replace those of the services the platform runs on.
   */
  readonly onlyWhenNamed?: boolean;
  /**
   * Installs what is missing (cached), starts the service unless it already runs, waits until it is
   * ready and provisions it. Resolves with the settings to export for the platform to use it.
   */
  up(paths: ServicePaths): Promise<Record<string, string>>;
  down(paths: ServicePaths, options: DownOptions): Promise<void>;
}

/** Where a service runs: what every service's layout has, besides its own folders and ports. */
export interface ServiceLayout {
  /** `$TOP_SONGS_STACK_DIR/<service>`: what `--clean` deletes. */
  readonly runDir: string;
  /** The pid of the detached process: `services:down` stops only what this file names. */
  readonly pidFile: string;
  /** The process's stdout and stderr, in the run folder (`logs/<service>.out`). */
  readonly outFile: string;
}

export interface ServiceProcess {
  /** What is started, for the progress line (e.g. "Kafka 4.1.1"). */
  readonly what: string;
  /** What readiness means, for the progress line (e.g. "it answers on 127.0.0.1:9092"). */
  readonly readyWhen: string;
  readonly command: string;
  readonly args: readonly string[];
  /** The process's environment; default: this one's. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface Readiness {
  /** What runs, for the "exited while starting" message (e.g. "the broker"). */
  readonly what: string;
  readonly timeoutMs: number;
  /** The logs whose last lines are worth showing when it fails. */
  readonly logFiles: readonly string[];
  /** Resolves when the service answers; throws (the reason is reported) while it does not. */
  probe(): Promise<void>;
  /** Releases what `probe` uses (a client), once polling ends. */
  close?(): void;
}

export interface ServiceDefinition<Layout extends ServiceLayout> {
  readonly name: string;
  readonly description: string;
  readonly onlyWhenNamed?: boolean;
  /** A word of the process's command line, so that a reused pid is never taken for the service. */
  readonly marker: string;
  readonly stopTimeoutMs: number;
  /** Folders, files and ports, from the paths and the port settings of the environment. */
  layout(paths: ServicePaths): Layout;
  /** The ports it listens on, each with the setting that moves it: they must be free before it starts. */
  ports(layout: Layout): readonly { readonly port: number; readonly setting: string }[];
  /** Installs what is missing into the cache (once); fails with the fix when a prerequisite is missing. */
  install?(layout: Layout, paths: ServicePaths): void;
  /** What the run folder needs before the process starts (folders, configuration, formatted storage). */
  prepare?(layout: Layout, paths: ServicePaths): void;
  start(layout: Layout, paths: ServicePaths): ServiceProcess;
  readiness(layout: Layout): Readiness;
  /** What it must hold (topics, a bucket, streams): checked on every `up`, whether just started or not. */
  provision?(layout: Layout): Promise<void>;
  /** The settings to export once it is ready. */
  settings(layout: Layout): Record<string, string>;
  /** Said after "already running (pid n)", e.g. "on 127.0.0.1:9092; checking its topics". */
  runningNote?(layout: Layout): string;
  /** What stays after a plain `down` (`--clean` deletes it), e.g. `{ what: 'data', where: dataDir }`. */
  keeps?(layout: Layout): { readonly what: string; readonly where: string };
  /** Folders outside the run folder that `--clean` deletes too. */
  cleanAlso?(layout: Layout): readonly string[];
}

/** A DevService from its definition: the one up/down sequence every service follows. */
export function defineService<Layout extends ServiceLayout>(
  definition: ServiceDefinition<Layout>,
): DevService {
  const { name } = definition;

  async function up(paths: ServicePaths): Promise<Record<string, string>> {
    const layout = definition.layout(paths);
    const pid = runningPid(layout.pidFile, definition.marker);
    if (pid !== undefined) {
      const note = definition.runningNote?.(layout);
      say(`${name}: already running (pid ${pid})${note ? ` ${note}` : ''}`);
      await waitUntilReady(name, definition.readiness(layout), undefined);
    } else {
      await requireFreePorts(name, definition.ports(layout));
      definition.install?.(layout, paths);
      for (const dir of [layout.runDir, dirname(layout.outFile)]) mkdirSync(dir, { recursive: true });
      definition.prepare?.(layout, paths);
      await startProcess(definition, layout, paths);
    }
    await definition.provision?.(layout);
    return definition.settings(layout);
  }

  async function down(paths: ServicePaths, options: DownOptions): Promise<void> {
    const layout = definition.layout(paths);
    const pid = runningPid(layout.pidFile, definition.marker);
    if (pid === undefined) {
      say(`${name}: not running`);
    } else {
      say(`${name}: stopping pid ${pid}`);
      const how = await stopProcess(pid, definition.stopTimeoutMs);
      rmSync(layout.pidFile, { force: true });
      say(
        how === 'stopped' ? `${name}: stopped` : `${name}: killed after ${definition.stopTimeoutMs / 1000} s`,
      );
    }
    const keeps = definition.keeps?.(layout);
    if (options.clean) {
      for (const dir of [layout.runDir, ...(definition.cleanAlso?.(layout) ?? [])]) {
        rmSync(dir, { recursive: true, force: true });
        say(`${name}: removed ${dir}`);
      }
    } else if (keeps) {
      say(`${name}: ${keeps.what} kept in ${keeps.where} (\`--clean\` removes it)`);
    }
  }

  return {
    name,
    description: definition.description,
    ...(definition.onlyWhenNamed ? { onlyWhenNamed: true } : {}),
    up,
    down,
  };
}

/**
 * Starts the process detached and waits until it is ready; if it never is, stops it and forgets its pid
 * file, so that the next `services:up` starts afresh.
 */
async function startProcess<Layout extends ServiceLayout>(
  definition: ServiceDefinition<Layout>,
  layout: Layout,
  paths: ServicePaths,
): Promise<void> {
  const { name } = definition;
  const start = definition.start(layout, paths);
  const child = spawnDetached(start.command, start.args, {
    cwd: layout.runDir,
    logFile: layout.outFile,
    pidFile: layout.pidFile,
    ...(start.env ? { env: start.env } : {}),
  });
  say(`${name}: started ${start.what} (pid ${child.pid}); waiting until ${start.readyWhen}`);
  const started = Date.now();
  try {
    await waitUntilReady(name, definition.readiness(layout), child);
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null)
      await stopProcess(child.pid, definition.stopTimeoutMs);
    rmSync(layout.pidFile, { force: true });
    throw error;
  }
  say(`${name}: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Polls a service until it answers, failing early if the process just started exits, with the log tails. */
async function waitUntilReady(
  name: string,
  readiness: Readiness,
  child: { readonly exitCode: number | null; readonly signalCode: NodeJS.Signals | null } | undefined,
): Promise<void> {
  const logs = () => readiness.logFiles.map((file) => `Last lines of ${file}:\n${tail(file)}`).join('\n\n');
  const deadline = Date.now() + readiness.timeoutMs;
  let lastError: unknown;
  try {
    while (Date.now() < deadline) {
      if (child && (child.exitCode !== null || child.signalCode !== null)) {
        throw new ServiceError(
          `${name}: ${readiness.what} exited (${child.exitCode ?? child.signalCode}) while starting. ${logs()}`,
        );
      }
      try {
        await readiness.probe();
        return;
      } catch (error) {
        lastError = error;
      }
      await sleep(250);
    }
    throw new ServiceError(
      `${name}: not ready after ${readiness.timeoutMs / 1000} s (last error: ${String(lastError)}). ${logs()}`,
    );
  } finally {
    readiness.close?.();
  }
}
