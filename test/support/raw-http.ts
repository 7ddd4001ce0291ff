/**
 * HTTP/1.1 on a bare TCP socket, for requests no well-behaved client would send (a Host of `[::`, a path
 * of `/%`, a 64 KiB header, a body that stops halfway): the bytes go on the wire exactly as written.
 */
import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** By lower-case name; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The statuses of interim (1xx) answers before this one, e.g. 100 Continue. */
  readonly interim: readonly number[];
}

export interface RawExchangeOptions {
  /** Give up (reject) when no complete answer came within this time. */
  readonly timeoutMs?: number;
  /** The answer to a HEAD request has no body, whatever its headers say. */
  readonly head?: boolean;
}

/** The bytes of a request: request line, headers (in order, repeats allowed), blank line, body. */
export function rawRequest(
  requestLine: string,
  headers: readonly (readonly [string, string])[],
  body: string | Buffer = '',
): Buffer {
  const head = `${requestLine}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body)]);
}

/**
 * Writes `parts` to a new connection to `url`'s host and port, without ending it (a request may be left
 * incomplete on purpose), and resolves with the first complete answer. Rejects when the connection ends
 * or fails before a complete answer, or after `timeoutMs`.
 */
export function rawExchange(
  url: string,
  parts: readonly (string | Buffer)[],
  options: RawExchangeOptions = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
    let received = Buffer.alloc(0);
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`no complete answer within ${options.timeoutMs} ms`))),
      options.timeoutMs ?? 30_000,
    );
    const tryParse = (ended: boolean) => {
      const response = parseResponse(received, ended, options.head ?? false);
      if (response) settle(() => resolve(response));
      else if (ended) {
        const text = received.toString('latin1').slice(0, 200);
        settle(() =>
          reject(new Error(`the connection ended without a complete answer: ${JSON.stringify(text)}`)),
        );
      }
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      tryParse(false);
    });
    socket.once('end', () => tryParse(true));
    // A reset after the answer (the server closed while the client was still sending) is not a failure.
    socket.once('error', () => tryParse(true));
    socket.once('connect', () => {
      for (const part of parts) socket.write(part);
    });
  });
}

/** The first complete response in `bytes`, or undefined when more bytes are needed. */
function parseResponse(
  bytes: Buffer,
  ended: boolean,
  head: boolean,
  interim: readonly number[] = [],
): RawResponse | undefined {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...lines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`not an HTTP response: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const rest = bytes.subarray(headEnd + 4);
  // 100 Continue is an interim answer: the final one follows.
  if (status < 200) return parseResponse(rest, ended, head, [...interim, status]);
  if (head || status === 204 || status === 304) return { status, headers, body: '', interim };
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (rest.length < length) return undefined;
    return { status, headers, body: rest.subarray(0, length).toString('utf8'), interim };
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const body = dechunk(rest);
    return body === undefined ? undefined : { status, headers, body: body.toString('utf8'), interim };
  }
  // Neither length nor chunks: the body ends with the connection.
  return ended ? { status, headers, body: rest.toString('utf8'), interim } : undefined;
}

/** A chunked body's bytes, or undefined while its last chunk has not arrived. */
function dechunk(bytes: Buffer): Buffer | undefined {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) return Buffer.concat(chunks);
    const start = lineEnd + 2;
    if (bytes.length < start + size + 2) return undefined;
    chunks.push(bytes.subarray(start, start + size));
    at = start + size + 2;
  }
}
