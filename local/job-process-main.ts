/**
 * The program of a scheduled job's own process (job-process.ts forks it for one run): takes the run from its
 * parent, invokes the declared handler as the runtime would in its own process (invokeDeclared: the same
 * handler, event, context and timeout), with dependencies built from the parent's settings, sends back the
 * handler's answer or error and its metrics, and exits. Its logs go to the parent's stdout
 * and stderr, as the handler's would.
 */
import './quiet-logs.ts';
import { systemClock } from '../src/ports/clock.ts';
import { createDependencies, installDependencies } from '../src/wiring/dependencies.ts';
import { invokeDeclared } from './functions.ts';
import { forwardingMetrics, sentError } from './isolated-invocation.ts';
import type { JobMessage, JobRequest } from './job-process.ts';

/** How long closing the database pool may take before the process exits anyway. */
const CLOSE_WITHIN_MS = 2_000;

function send(message: JobMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

// The parent decides when to stop: Ctrl-C in a terminal signals the whole process group, and the run in
// flight is finished (the runtime waits for it) rather than cut.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
// The parent is gone (killed): nobody waits for the answer, and the run is retried by the next start's schedule.
process.on('disconnect', () => process.exit(1));

/** Every call on the job's metrics, handed to the parent, which counts it in the runtime's registry. */
const forwardedMetrics = forwardingMetrics((message) => void send(message));

process.once('message', async (request: JobRequest) => {
  const dependencies = createDependencies(request.settings, systemClock, forwardedMetrics);
  installDependencies(dependencies);
  const started = performance.now();
  let outcome: JobMessage;
  try {
    const value = await invokeDeclared(request.declaration, request.event);
    // maxRSS is in kB (getrusage).
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    outcome = { kind: 'answer', value, runMs: performance.now() - started, peakRssMb };
  } catch (error) {
    outcome = { kind: 'failure', error: sentError(error), runMs: performance.now() - started };
  }
  // An answer that cannot be cloned (not plain data) is a failure of the run, not of the process.
  await send(outcome).catch((error: Error) =>
    send({
      kind: 'failure',
      error: { name: 'JobFailure', message: `its answer could not be sent: ${error.message}` },
      runMs: performance.now() - started,
    }),
  );
  // A handler that timed out may still hold connections: the exit ends it, as Lambda ends a timed-out sandbox.
  await Promise.race([
    dependencies.close().catch(() => {}),
    new Promise((resolve) => setTimeout(resolve, CLOSE_WITHIN_MS).unref()),
  ]);
  process.exit(0);
});
await send({ kind: 'ready' });
