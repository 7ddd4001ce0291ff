import type { ServerResponse } from 'node:http';

/**
 * A JSON answer, the shape of every error of the API (`{"message": ...}`). Nothing is written once the
 * response has started or its connection is gone (a client that hung up, a timeout already answered).
 */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (!isWritable(response)) return;
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

export function isWritable(response: ServerResponse): boolean {
  return !response.headersSent && !response.destroyed && response.socket?.writable === true;
}
