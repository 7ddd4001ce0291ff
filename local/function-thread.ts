import { Worker } from 'node:worker_threads';
import type { Settings } from '../src/config/settings.ts';
import type { Metrics } from '../src/ports/metrics.ts';
import type { EventSourceKind } from '../src/ports/transport.ts';
import { FunctionTimeoutError } from './functions.ts';
import { type MetricMessage, rebuiltError, replayMetric, type SentError } from './isolated-invocation.ts';
import type { JobDeclaration } from './job-process.ts';

/**
 * The local runtime runs its stream functions (the lake-writer, the live chart, the dead-letter counter) in a
 * worker thread, off the HTTP server's event loop. In that loop, a batch of 10,000 plays (its event built,
 * validated, decoded, encoded into Parquet) held every HTTP request for 140–200 ms (docs/benchmarks.md, "HTTP
 * ingest through the runtime"); in the thread it holds only the thread's loop. One thread serves all of them, each
 * function's handler, dependencies and pools kept warm there as a Lambda sandbox keeps its own: a thread per
 * function cost ~50 MB of RSS each (its isolate and its own copy of every module) for little more, since the
 * functions' batches take turns there as they took turns here. A thread that dies, or is blocked past a function's
 * timeout and so terminated, fails what it had under way, and the next invocation starts a new one.
 */

/** Runtime → thread. */
export type ThreadRequest =
  | {
      readonly kind: 'invoke';
      readonly id: number;
      readonly declaration: JobDeclaration;
      readonly event: unknown;
    }
  | { readonly kind: 'close' };

/** Thread → runtime. */
export type ThreadMessage =
  | MetricMessage
  | { readonly kind: 'answer'; readonly id: number; readonly value: unknown }
  | { readonly kind: 'failure'; readonly id: number; readonly error: SentError };

/**
 * The stream event a thread builds from the records it is invoked with, as the poller would have: the transport's
 * kind of event source, and a real Kafka cluster's brokers (self-managed Kafka events name them).
 */
export interface StreamEventSource {
  readonly kind: EventSourceKind;
  readonly bootstrapServers: string | undefined;
}

/** What the thread is started with (workerData). */
export interface ThreadData {
  /** Parsed once by the runtime (with the embedded database's URL filled in), not read again from the env. */
  readonly settings: Settings;
  readonly streamEvent: StreamEventSource | undefined;
}

export interface FunctionThreadOptions {
  readonly settings: Settings;
  /** Where the thread's metrics are counted: the runtime's registry (GET /metrics). */
  readonly metrics: Metrics;
  /** Invoked with a batch's records, the thread builds this source's event of them; else invoked with the event. */
  readonly streamEvent?: StreamEventSource;
}

/** The thread ended, or failed, before it answered. */
export class FunctionThreadError extends Error {
  override name = 'FunctionThreadError';
}

/**
 * How long after the function's timeout a thread that has not answered is terminated: its own deadline answers
 * first unless its event loop is blocked (a long synchronous call), which only terminating it can end.
 */
const TERMINATE_GRACE_MS = 2_000;

/** How long a closing thread may take to close its pools before it is terminated. */
const CLOSE_WITHIN_MS = 3_000;

const program = new URL('./function-thread-main.ts', import.meta.url);

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class FunctionThread {
  private worker: Worker | undefined;
  /**
   * Settles once the last thread started has exited. A new thread starts only then: Node can crash (SIGSEGV) when a
   * thread starts while another is being torn down (nodejs/node#56312; it ended a CI run here).
   */
  private lastExited: Promise<unknown> = Promise.resolve();
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private readonly options: FunctionThreadOptions;

  constructor(options: FunctionThreadOptions) {
    this.options = options;
  }

  /**
   * Invokes the declared function in the thread with `event` (a batch's records, with `streamEvent`): its answer,
   * or what it threw (rebuilt: name, message and stack).
   */
  async invoke(declaration: JobDeclaration, event: unknown): Promise<unknown> {
    const worker = await this.started();
    const id = this.nextId++;
    const { name, timeoutSeconds } = declaration;
    return new Promise((resolve, reject) => {
      const blocked = setTimeout(
        () => {
          this.fail(
            worker,
            new FunctionTimeoutError(
              `${name} timed out after ${timeoutSeconds} s (its thread was terminated)`,
            ),
          );
          void worker.terminate();
        },
        timeoutSeconds * 1000 + TERMINATE_GRACE_MS,
      );
      const settled =
        <T>(settle: (value: T) => void) =>
        (value: T) => {
          clearTimeout(blocked);
          this.pending.delete(id);
          settle(value);
        };
      this.pending.set(id, { resolve: settled(resolve), reject: settled(reject) });
      worker.postMessage({ kind: 'invoke', id, declaration, event } satisfies ThreadRequest);
    });
  }

  /** Lets the thread close its pools and end (terminated if it takes longer than a few seconds). */
  async close(): Promise<void> {
    const worker = this.worker;
    worker?.postMessage({ kind: 'close' } satisfies ThreadRequest);
    const timer = worker && setTimeout(() => void worker.terminate(), CLOSE_WITHIN_MS);
    // Also a thread terminated earlier and still being torn down: the process must not exit under it.
    await this.lastExited;
    clearTimeout(timer);
  }

  private async started(): Promise<Worker> {
    if (!this.worker) await this.lastExited;
    // Another invocation may have started one while this one waited.
    if (this.worker) return this.worker;
    const { settings, streamEvent } = this.options;
    const workerData: ThreadData = { settings, streamEvent };
    const worker = new Worker(program, { workerData, name: 'stream functions' });
    this.lastExited = new Promise((resolve) => worker.once('exit', resolve));
    worker.on('message', (message: ThreadMessage) => {
      if (message.kind === 'metric') return replayMetric(this.options.metrics, message);
      const pending = this.pending.get(message.id);
      if (message.kind === 'answer') pending?.resolve(message.value);
      else pending?.reject(rebuiltError(message.error));
    });
    worker.once('error', (error) =>
      this.fail(worker, new FunctionThreadError(`the functions' thread failed: ${error.message}`)),
    );
    worker.once('exit', (code) =>
      this.fail(
        worker,
        new FunctionThreadError(`the functions' thread exited (code ${code}) before it answered`),
      ),
    );
    this.worker = worker;
    return worker;
  }

  /** The thread is done for: what it had not answered fails, and the next invocation starts another. */
  private fail(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const pending of [...this.pending.values()]) pending.reject(error);
  }
}
