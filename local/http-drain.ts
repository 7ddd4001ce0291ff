import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { sendJson } from './http/respond.ts';

/** What a client is told to wait before it sends a refused request again (to this process once restarted). */
const RETRY_AFTER_SECONDS = 5;

/**
 * Lets an HTTP server stop taking requests without cutting the ones it took. After `drain()`, a new
 * request is answered 503 with Retry-After, nothing of it taken, and the connections close after their
 * answer; `drain()` resolves once every request taken before it has been answered. The server keeps
 * listening until `close()`, so that a client arriving late gets that 503 rather than a refused connection.
 */
export class RequestDrain {
  /**
   * The requests taken and not yet answered: an array, not a Set. A Set's table is reallocated as it grows and
   * shrinks, and each table it drops has outlived young collections (the Set is old): at 2,000 requests/s that
   * was a quarter of what the server promoted to V8's old generation, hastening its major collections
   * (docs/benchmarks.md, "What the charts API promotes").
   */
  private readonly inFlight: ServerResponse[] = [];
  private draining = false;
  private drained: (() => void) | undefined;

  wrap(listener: RequestListener): RequestListener {
    return (request, response) => {
      if (this.draining) return refuse(request, response);
      this.inFlight.push(response);
      response.once('close', () => {
        this.remove(response);
        if (this.draining && this.inFlight.length === 0) this.drained?.();
      });
      listener(request, response);
    };
  }

  drain(): Promise<void> {
    this.draining = true;
    for (const response of this.inFlight) {
      if (!response.headersSent) response.setHeader('connection', 'close');
    }
    if (this.inFlight.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drained = resolve;
    });
  }

  /** Takes a response out of the list, in place: the last takes its slot. */
  private remove(response: ServerResponse): void {
    const index = this.inFlight.indexOf(response);
    if (index < 0) return;
    const last = this.inFlight.pop() as ServerResponse;
    if (index < this.inFlight.length) this.inFlight[index] = last;
  }

  /** Stops listening and closes every connection left (idle keep-alive ones; any still busy are cut). */
  close(server: Server): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    return closed;
  }
}

/** Answered once the request's body has arrived: closing a connection with a body unread could reset it. */
function refuse(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  request.once('end', () =>
    sendJson(
      response,
      503,
      {
        message: `shutting down: nothing of this request was taken; send it again in ${RETRY_AFTER_SECONDS} s`,
      },
      { 'retry-after': String(RETRY_AFTER_SECONDS), connection: 'close' },
    ),
  );
}
