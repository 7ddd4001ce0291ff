/** A real local HTTP server standing in for the ingest API, scripted per test. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  /** The Authorization header, if any. */
  authorization: string | undefined;
  events: unknown[];
}

export type Reply = (
  request: Received,
  index: number,
) => { status: number; body?: unknown; headers?: Record<string, string> };

/** By default: 202, everything accepted. */
export const acceptAll: Reply = (request) => ({
  status: 202,
  body: { accepted: request.events.length, rejected: [] },
});

export interface FakeApi {
  url: string;
  received: Received[];
  /** The most requests that were open at the same time. */
  maxConcurrent: number;
  reply: Reply;
  delayMs: number;
  close(): Promise<void>;
}

export async function startFakeApi(reply: Reply = acceptAll): Promise<FakeApi> {
  let open = 0;
  const api: FakeApi = {
    url: '',
    received: [],
    maxConcurrent: 0,
    reply,
    delayMs: 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    open += 1;
    api.maxConcurrent = Math.max(api.maxConcurrent, open);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const path = request.url ?? '/';
      if (request.method === 'GET' && path === '/v1/regions') {
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ regions: ['us', 'jp'], global: 'global' }));
        return;
      }
      const received: Received = {
        method: request.method ?? '',
        path,
        authorization: request.headers.authorization,
        events: text ? JSON.parse(text).events : [],
      };
      api.received.push(received);
      if (api.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, api.delayMs));
      const answer = api.reply(received, api.received.length - 1);
      response
        .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        .end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    } finally {
      open -= 1;
    }
  };
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}
