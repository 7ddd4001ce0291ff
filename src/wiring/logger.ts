import { Logger } from '@aws-lambda-powertools/logger';

/** The runtime's own logger (local runtime, adapters). */
export const logger = new Logger({ serviceName: 'top-songs' });

/**
 * A logger for one function. The local runtime runs every function in one process, and the
 * Lambda-context middleware writes the invocation into its logger: one logger per function keeps
 * one function's context out of another's log lines.
 */
export function createFunctionLogger(): Logger {
  return new Logger({ serviceName: 'top-songs' });
}
