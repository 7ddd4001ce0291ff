/**
 * An HTTP proxy in front of a server that fails on command: it passes requests through, or answers every request
 * with an S3 server error (503 SlowDown and 500 InternalError, by turns). When the server behind it is gone, it
 * resets the client's connection, as a vanished server does. It counts what it did, so a test can show that
 * the faults were really met.
 */
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type FaultMode = 'pass' | 'server-errors';

export interface FaultProxy {
  readonly url: string;
  setMode(mode: FaultMode): void;
  /** Requests passed through, answered with a 5xx, and reset because the server behind was unreachable. */
  readonly counts: { passed: number; serverErrors: number; resets: number };
  close(): Promise<void>;
}

const serverErrors = [
  { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
  { status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' },
] as const;

export async function startFaultProxy(upstreamPort: number): Promise<FaultProxy> {
  let mode: FaultMode = 'pass';
  const counts = { passed: 0, serverErrors: 0, resets: 0 };
  const sockets = new Set<Socket>();

  const answerWithError = (request: IncomingMessage, response: ServerResponse) => {
    const error = serverErrors[counts.serverErrors++ % serverErrors.length]!;
    request.resume();
    request.once('end', () =>
      response
        .writeHead(error.status, { 'content-type': 'application/xml' })
        .end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${error.code}</Code><Message>${error.message}</Message></Error>`,
        ),
    );
  };

  const server = createServer((request, response) => {
    if (mode === 'server-errors') {
      answerWithError(request, response);
      return;
    }
    const upstream = forward(
      {
        host: '127.0.0.1',
        port: upstreamPort,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        counts.passed++;
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.once('error', () => {
      counts.resets++;
      request.socket.destroy();
    });
    request.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    setMode: (next) => {
      mode = next;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
