/**
 * The program of the stream functions' thread (function-thread.ts starts it): invokes each declared handler as the
 * runtime would in its own thread (invokeDeclared: the same handler, event, context and timeout; a stream
 * function's event built here from the batch's records), with
 * dependencies built once from the runtime's settings, and sends back each answer or error and the metrics.
 * Its logs go to the runtime's stdout and stderr, as the handler's would.
 */
import './quiet-logs.ts';
import { parentPort, workerData } from 'node:worker_threads';
import { eventSources } from '../src/adapters/event-sources/stream-events.ts';
import { systemClock } from '../src/ports/clock.ts';
import type { LogRecord } from '../src/ports/transport.ts';
import { createDependencies, installDependencies } from '../src/wiring/dependencies.ts';
import type { ThreadData, ThreadMessage, ThreadRequest } from './function-thread.ts';
import { invokeDeclared } from './functions.ts';
import { forwardingMetrics, sentError } from './isolated-invocation.ts';

/** How long closing the database pools may take before the thread ends anyway. */
const CLOSE_WITHIN_MS = 2_000;

const port = parentPort;
if (!port) throw new Error('function-thread-main.ts runs in a worker thread (function-thread.ts starts it)');
const { settings, streamEvent } = workerData as ThreadData;
/** The event the handler gets: built here from a batch's records (what the poller would have built), or as sent. */
const eventOf = (functionName: string, sent: unknown) =>
  streamEvent
    ? eventSources[streamEvent.kind].event(sent as LogRecord[], {
        functionName,
        bootstrapServers: streamEvent.bootstrapServers,
      })
    : sent;
const send = (message: ThreadMessage) => port.postMessage(message);
const dependencies = createDependencies(settings, systemClock, forwardingMetrics(send));
installDependencies(dependencies);

port.on('message', async (request: ThreadRequest) => {
  if (request.kind === 'close') {
    await Promise.race([
      dependencies.close().catch(() => {}),
      new Promise((resolve) => setTimeout(resolve, CLOSE_WITHIN_MS).unref()),
    ]);
    return process.exit(0);
  }
  try {
    send({
      kind: 'answer',
      id: request.id,
      value: await invokeDeclared(request.declaration, eventOf(request.declaration.name, request.event)),
    });
  } catch (error) {
    // An answer that cannot be cloned (not plain data) is a failure of the invocation, not of the thread.
    send({ kind: 'failure', id: request.id, error: sentError(error) });
  }
});
