import { type IncomingMessage, type ServerOptions, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LocalHttpSettings } from '../../src/config/settings.ts';
import { MAX_BODY_BYTES } from '../../src/use-cases/ingest-plays.ts';
import { logger } from '../../src/wiring/logger.ts';
import { sendJson } from './respond.ts';

/** The HTTP contract's limit on a request body (docs/contracts.md), for every route. */
export const MAX_REQUEST_BYTES = MAX_BODY_BYTES;
/** Node's default, made explicit: ample for any header the API reads, and a bound on memory per request. */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Node's limits on what a client may make the server hold: header size, and the time to send the headers and
 * the whole request (a slow client gets a 408 rather than a socket held for minutes).
 */
export function serverLimits(settings: Omit<LocalHttpSettings, 'host' | 'ingestCorsOrigins'>): ServerOptions {
  return {
    maxHeaderSize: MAX_HEADER_BYTES,
    // Routing never reads Host (request-target.ts); Node's own check would answer its absence with a bare 400.
    requireHostHeader: false,
    headersTimeout: settings.headersTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    // Node checks both timeouts on this interval (30 s by default, which would stretch a 10 s timeout to 40 s).
    connectionsCheckingInterval: Math.min(1_000, settings.headersTimeoutMs),
  };
}

/** A body announced (Content-Length) over the limit, refused before a byte of it is read. */
export function announcedTooLarge(request: IncomingMessage): number | undefined {
  const length = Number(request.headers['content-length'] ?? 0);
  return length > MAX_REQUEST_BYTES ? length : undefined;
}

/** 413, closing the connection: the rest of the body is never read. */
export function refuseTooLarge(response: ServerResponse, announced: number | undefined): void {
  const size = announced === undefined ? `over ${MAX_REQUEST_BYTES}` : String(announced);
  sendJson(
    response,
    413,
    { message: `body is ${size} bytes; the limit is ${MAX_REQUEST_BYTES} bytes` },
    { connection: 'close' },
  );
}

/** The client went away (or a timeout closed its connection) before its body was complete. */
export class RequestAborted extends Error {
  override name = 'RequestAborted';
}

/**
 * The body, or `too-large` as soon as it passes the limit (reading then stops: nothing more is buffered).
 * Rejects with RequestAborted when the connection ends first.
 */
export function readBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('close', onClose);
      request.off('error', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        done();
        request.pause();
        resolve('too-large');
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onClose = () => {
      done();
      reject(new RequestAborted('the connection closed before the body was complete'));
    };
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('close', onClose);
    request.once('error', onClose);
  });
}

/** What Node's parser refuses before a request exists, by its error code: JSON, like every other error. */
const clientErrors: Record<string, { status: number; message: (code: string) => string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    message: () => `the request's headers exceed ${MAX_HEADER_BYTES} bytes`,
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, message: () => 'chunk extensions too large' },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    message: () => 'the request was not received in time; send the headers and the body without pausing',
  },
};

/**
 * Node's `clientError`: a request it could not parse (bad syntax, headers over the limit) or that did not
 * arrive in time. Answers with a JSON error when nothing of a response has been written on the connection
 * yet (`inFlight`: the response being prepared there, if any), then closes the connection.
 */
export function answerClientError(
  error: Error & { code?: string },
  socket: Duplex,
  inFlight: ServerResponse | undefined,
): void {
  const code = error.code ?? 'unknown';
  if (code === 'ECONNRESET' || code === 'EPIPE' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const known = clientErrors[code];
  const status = known?.status ?? 400;
  const message = known?.message(code) ?? `malformed HTTP request (${code})`;
  logger.debug('refused a request Node could not parse', { code, status });
  answerOnSocket(socket, status, message);
}

/** A JSON error written straight on the connection, which then closes: for requests Node hands over raw. */
export function answerOnSocket(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
