/**
 * What an invocation run apart from the runtime's event loop (a scheduled job's process, a stream function's
 * thread) sends back, and how each side writes and reads it: its metrics, replayed on the runtime's registry,
 * and its answer or the error it threw, rebuilt with its name, message and stack.
 */
import type { Metrics } from '../src/ports/metrics.ts';
import { FunctionTimeoutError } from './functions.ts';

export interface MetricMessage {
  readonly kind: 'metric';
  readonly method: 'count' | 'observe';
  readonly args: readonly unknown[];
}

export interface SentError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

/** A failure the function reported, as it was thrown where it ran (its name, message and stack). */
export class JobFailure extends Error {}

/** Metrics that hand every call to `send`, for the runtime to count in its own registry (replayMetric). */
export function forwardingMetrics(send: (message: MetricMessage) => void): Metrics {
  return {
    count: (...args: readonly unknown[]) => send({ kind: 'metric', method: 'count', args }),
    observe: (...args: readonly unknown[]) => send({ kind: 'metric', method: 'observe', args }),
    flush: () => {},
  } as Metrics;
}

/** The same call the function made on its own Metrics, made on the runtime's. */
export function replayMetric(metrics: Metrics, message: MetricMessage): void {
  (metrics[message.method] as (...args: readonly unknown[]) => void)(...message.args);
}

/** What can cross to the runtime of whatever was thrown. */
export function sentError(error: unknown): SentError {
  const { name, message, stack } =
    error instanceof Error ? error : new Error(`non-error thrown: ${String(error)}`);
  return { name, message, stack };
}

/** The error as the function threw it: a timeout stays a FunctionTimeoutError; any other keeps its name and stack. */
export function rebuiltError(error: SentError): Error {
  const rebuilt =
    error.name === 'FunctionTimeoutError'
      ? new FunctionTimeoutError(error.message)
      : Object.assign(new JobFailure(error.message), { name: error.name });
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}
