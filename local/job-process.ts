import { type ChildProcess, fork } from 'node:child_process';
import { join, resolve as resolvePath } from 'node:path';
import type { Settings } from '../src/config/settings.ts';
import type { Metrics } from '../src/ports/metrics.ts';
import type { FunctionDeclaration } from '../src/topology.ts';
import { logger } from '../src/wiring/logger.ts';
import { backgroundProcess } from './background-priority.ts';
import { FunctionTimeoutError, projectRoot } from './functions.ts';
import { type MetricMessage, rebuiltError, replayMetric, type SentError } from './isolated-invocation.ts';

export { JobFailure } from './isolated-invocation.ts';

/**
 * The local runtime runs each scheduled job (the chart jobs, compaction, enrichment, the catalog sync: the
 * functions that read the lake with DuckDB) in a process of its own, started for one run and ended after it,
 * as Lambda runs each function in a sandbox of its own. DuckDB's and glibc's allocators keep what a run over
 * thousands of small files took; only the end of the process gives it all back (docs/decisions.md,
 * "Scheduled jobs in a process of their own").
 */

/** What a job process runs: the declaration's handler, with its timeout, against the runtime's settings. */
export type JobDeclaration = Pick<FunctionDeclaration, 'name' | 'entry' | 'timeoutSeconds'>;

/** Parent → job process: the one run it is for. */
export interface JobRequest {
  readonly kind: 'run';
  readonly declaration: JobDeclaration;
  readonly event: unknown;
  /** Parsed once by the runtime (with the embedded database's URL filled in), not read again from the env. */
  readonly settings: Settings;
}

/** Job process → parent. */
export type JobMessage =
  | { readonly kind: 'ready' }
  | MetricMessage
  | { readonly kind: 'answer'; readonly value: unknown; readonly runMs: number; readonly peakRssMb: number }
  | { readonly kind: 'failure'; readonly error: SentError; readonly runMs: number };

export interface JobRun {
  readonly value: unknown;
  /** From the fork until the job process could take the run: Node's start and the runner's own imports. */
  readonly startMs: number;
  /** The run in the job process: the handler's imports, its dependencies' opening, the handler itself. */
  readonly runMs: number;
  /**
   * The job process's largest resident set (its maxRSS, MB), mapped files (the node binary, libduckdb) included:
   * what a sample of the process tree catches only if it falls within the run.
   */
  readonly peakRssMb: number;
}

export interface JobProcessOptions {
  readonly settings: Settings;
  /** Where the job process's metrics are counted: the runtime's registry (GET /metrics). */
  readonly metrics: Metrics;
  /** Extra node flags of the job process (none by default: it inherits NODE_OPTIONS from the environment). */
  readonly execArgv?: readonly string[];
}

/** The job process ended without answering: it crashed, was killed, or exited on its own. */
export class JobProcessError extends Error {
  override name = 'JobProcessError';
}

/**
 * How long after the function's timeout a job process that has not answered is killed: its own deadline
 * answers first unless its event loop is blocked (a long synchronous call), which only a kill can end.
 */
const KILL_GRACE_MS = 2_000;

const program = join(projectRoot, 'local', 'job-process-main.ts');

/**
 * The job processes running, ended with this process however it exits (a stop past SHUTDOWN_TIMEOUT_MS, a second
 * Ctrl-C): the run is abandoned either way, and one left to exit on its own, as it does when its parent is gone,
 * would still write its compile cache into the data folder afterwards.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const job of running) job.kill('SIGKILL');
});

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/**
 * Runs one invocation of `declaration` in a new process and ends the process: resolves with the handler's
 * value, rejects with what it threw (a JobFailure, or a FunctionTimeoutError), or with a JobProcessError when
 * the process ended without an answer. Never throws into the caller's process otherwise.
 */
export function runInJobProcess(
  declaration: JobDeclaration,
  event: unknown,
  options: JobProcessOptions,
): Promise<JobRun> {
  return new Promise((resolve, reject) => {
    const forkedAt = performance.now();
    let startMs: number | undefined;
    let settled = false;
    // What the job answered; the run settles once its process has exited, so that its memory is returned
    // before the caller goes on (the scheduler's next run).
    let answered: (() => void) | undefined;
    // The runtime's working folder (a relative TOP_SONGS_DATA_DIR means the same folder to both).
    const child = fork(program, [], {
      execArgv: [...(options.execArgv ?? [])],
      // Node's compile cache halves the start of each job process (its imports are most of it).
      env: {
        ...process.env,
        NODE_COMPILE_CACHE:
          process.env.NODE_COMPILE_CACHE ?? resolvePath(options.settings.dataDir, 'compile-cache'),
      },
      // Structured clone: undefined settings stay undefined, and the event's values keep their types.
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    track(child);
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(killer);
      outcome();
    };
    const killer = setTimeout(
      () => {
        child.kill('SIGKILL');
        settle(
          answered ??
            (() =>
              reject(
                new FunctionTimeoutError(
                  `${declaration.name} timed out after ${declaration.timeoutSeconds} s (its process was killed)`,
                ),
              )),
        );
      },
      declaration.timeoutSeconds * 1000 + KILL_GRACE_MS,
    );
    child.on('message', (message: JobMessage) => {
      switch (message.kind) {
        case 'ready': {
          startMs = performance.now() - forkedAt;
          // A scheduled job is background work: the runtime's event loop comes first (background-priority.ts).
          if (child.pid) backgroundProcess(child.pid);
          const request: JobRequest = { kind: 'run', declaration, event, settings: options.settings };
          child.send(request);
          return;
        }
        case 'metric':
          replayMetric(options.metrics, message);
          return;
        case 'answer':
          answered = () =>
            resolve({
              value: message.value,
              startMs: startMs ?? 0,
              runMs: message.runMs,
              peakRssMb: message.peakRssMb,
            });
          return;
        case 'failure':
          answered = () => reject(rebuiltError(message.error));
          return;
      }
    });
    child.once('error', (error) =>
      settle(() => reject(new JobProcessError(`${declaration.name}: its process failed: ${error.message}`))),
    );
    child.once('exit', (code, signal) =>
      settle(
        answered ??
          (() =>
            reject(
              new JobProcessError(
                `${declaration.name}: its process exited (${signal ?? `code ${code}`}) before it answered`,
              ),
            )),
      ),
    );
  });
}

/**
 * The runner of the runtime's scheduled runs: each in its own process, one process at a time (the chart jobs
 * fire together every minute; each process holds a Node runtime and DuckDB's working memory, so two at once
 * would double the peak for a few seconds of latency saved). Resolves with the handler's value, after logging
 * what the process cost (INFO).
 */
export function scheduledJobRunner(
  options: JobProcessOptions,
): (declaration: JobDeclaration, event: unknown) => Promise<unknown> {
  let previous: Promise<unknown> = Promise.resolve();
  return (declaration, event) => {
    const run = previous.then(() => runScheduledJob(declaration, event, options));
    previous = run.catch(() => {});
    return run;
  };
}

/** The message of the INFO line logged for each scheduled run: its function, times and peak RSS. */
export const SCHEDULED_RUN_LOGGED = 'scheduled run in its own process';

async function runScheduledJob(
  declaration: JobDeclaration,
  event: unknown,
  options: JobProcessOptions,
): Promise<unknown> {
  const run = await runInJobProcess(declaration, event, options);
  logger.info(SCHEDULED_RUN_LOGGED, {
    function: declaration.name,
    processStartMs: Math.round(run.startMs),
    runMs: Math.round(run.runMs),
    peakRssMb: Math.round(run.peakRssMb),
  });
  return run.value;
}
