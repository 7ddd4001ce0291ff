/**
 * The local API Gateway against requests no browser sends, on raw sockets: every answer is the server's
 * own JSON (never a 500, never Node's bare error), and no client holds it longer or larger than its limits.
 * The routes are the topology's; the functions behind them are stand-ins that record what reached them.
 */
import { writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { playsHeaders } from '../../../devkit/post-plays.ts';
import { createHttpServer, type RoutedFunction } from '../../../local/http-server.ts';
import { functions } from '../../../src/topology.ts';
import { type RawResponse, rawExchange, rawRequest } from '../../support/raw-http.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const MiB = 1024 * 1024;
const APP_ORIGIN = 'https://app.example';

let server: Server;
let url: string;
let staticDir: TempDir;
const invoked: APIGatewayProxyEventV2[] = [];

beforeAll(async () => {
  staticDir = await tempDir('http-static');
  await writeFile(`${staticDir.path}/index.html`, '<!doctype html><title>dashboard</title>');
  const routed: RoutedFunction[] = functions.flatMap((fn) =>
    fn.trigger.kind === 'http'
      ? [
          {
            functionName: fn.name,
            routes: fn.trigger.routes,
            invoke: async (event: unknown) => {
              invoked.push(event as APIGatewayProxyEventV2);
              return {
                statusCode: fn.name === 'ingest' ? 202 : 200,
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ path: (event as APIGatewayProxyEventV2).rawPath }),
              };
            },
          },
        ]
      : [],
  );
  server = createHttpServer(routed, {
    staticDir: staticDir.path,
    headersTimeoutMs: 500,
    requestTimeoutMs: 1_500,
    ingestCorsOrigins: [APP_ORIGIN],
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await staticDir.remove();
});

beforeEach(() => {
  invoked.length = 0;
});

const send = (
  requestLine: string,
  headers: [string, string][],
  body: string | Buffer = '',
  timeoutMs = 5_000,
) => rawExchange(url, [rawRequest(requestLine, headers, body)], { timeoutMs });

/** A JSON error with a message, as every error of the API is. */
function expectJsonError(response: RawResponse, status: number, message: RegExp) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/json');
  expect((JSON.parse(response.body) as { message: string }).message).toMatch(message);
}

const play = JSON.stringify({ event_id: 'e', user_id: 'u' });
/** No API key: the authorizer step is the runtime's (local/gateway-authorizer.ts), not this server's. */
const NO_KEY = null;
const playHeaders = (body: string): [string, string][] => [
  ...Object.entries(playsHeaders(NO_KEY)),
  ['content-length', String(Buffer.byteLength(body))],
];

describe('the local HTTP server', () => {
  it.each(['/%zz', '/%ff%fe', '/%', '/%E0%A4%A', '/assets/%C0%AFx.js', '/%00'])(
    'answers the dashboard path %s, badly percent-encoded, with a JSON 400',
    async (path) => {
      expectJsonError(await send(`GET ${path} HTTP/1.1`, [['host', 'localhost']]), 400, /percent-encoded/);
    },
  );

  it.each([
    ['empty', ''],
    ['an impossible port', 'localhost:99999'],
    ['an unclosed IPv6 literal', '[::'],
    ['a percent sign', '%'],
    ['another host altogether', 'evil.example:1'],
  ])('routes by the request line whatever Host says (%s)', async (_, host) => {
    const regions = await send('GET /v1/regions?x=1 HTTP/1.1', [['host', host]]);
    expect(regions.status).toBe(200);
    const posted = await send('POST /v1/plays HTTP/1.1', [['host', host], ...playHeaders(play)], play);
    expect(posted.status).toBe(202);
    expect(invoked.map((event) => [event.rawPath, event.body])).toEqual([
      ['/v1/regions', undefined],
      ['/v1/plays', play],
    ]);
    expect(invoked[0]!.queryStringParameters).toEqual({ x: '1' });
  });

  it('routes a request without Host, and one in absolute form by its path alone', async () => {
    expect((await send('GET /v1/regions HTTP/1.1', [])).status).toBe(200);
    expect((await send('GET http://evil.example:99999/v1/regions HTTP/1.1', [['host', 'x']])).status).toBe(
      200,
    );
    expect(invoked.map((event) => event.rawPath)).toEqual(['/v1/regions', '/v1/regions']);
    expectJsonError(await send('OPTIONS * HTTP/1.1', [['host', 'x']]), 400, /must be a path/);
  });

  it('answers a request Node cannot parse with a JSON 400', async () => {
    expectJsonError(
      await send('GET /v1/regions HTTP/1.1', [
        ['host', 'x'],
        ['bad header', 'x'],
      ]),
      400,
      /malformed HTTP request \(HPE_/,
    );
    expectJsonError(await send('GET /v1/regions HTTP/9.9', [['host', 'x']]), 400, /malformed/);
  });

  it('answers CONNECT with a JSON 405 rather than dropping the connection', async () => {
    expectJsonError(
      await send('CONNECT example.com:443 HTTP/1.1', [['host', 'example.com:443']]),
      405,
      /not a proxy/,
    );
  });

  it('answers a 64 KiB header with a JSON 431', async () => {
    const response = await send('GET /v1/regions HTTP/1.1', [
      ['host', 'x'],
      ['x-padding', 'p'.repeat(64 * 1024)],
    ]);
    expectJsonError(response, 431, /headers exceed 16384 bytes/);
    expect(invoked).toEqual([]);
  });

  it('refuses a body announced over 1 MiB with 413 at once, before any of it is sent', async () => {
    const response = await send('POST /v1/plays HTTP/1.1', [
      ['host', 'x'],
      ...Object.entries(playsHeaders(NO_KEY)),
      ['content-length', String(1024 ** 3)],
    ]);
    expectJsonError(response, 413, /body is 1073741824 bytes; the limit is 1048576 bytes/);
    expect(response.headers.connection).toBe('close');
    expect(invoked).toEqual([]);
  });

  it('refuses an announced oversized body behind Expect: 100-continue without inviting it', async () => {
    const response = await send('POST /v1/plays HTTP/1.1', [
      ['host', 'x'],
      ...Object.entries(playsHeaders(NO_KEY)),
      ['content-length', String(2 * MiB)],
      ['expect', '100-continue'],
    ]);
    expect(response.interim).toEqual([]);
    expectJsonError(response, 413, /limit is 1048576 bytes/);
  });

  it('stops reading a chunked body as soon as it passes 1 MiB, without waiting for the rest', async () => {
    const chunk = Buffer.alloc(256 * 1024, 'x');
    const chunks = Array.from({ length: 6 }, () =>
      Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
    );
    // 1.5 MiB sent, and the body never ends: the answer must not wait for its end (nor the request timeout).
    const response = await rawExchange(
      url,
      [
        rawRequest('POST /v1/plays HTTP/1.1', [
          ['host', 'x'],
          ...Object.entries(playsHeaders(NO_KEY)),
          ['transfer-encoding', 'chunked'],
        ]),
        ...chunks,
      ],
      { timeoutMs: 5_000 },
    );
    expectJsonError(response, 413, /body is over 1048576 bytes/);
    expect(invoked).toEqual([]);
  });

  it('takes a body of exactly 1 MiB', async () => {
    const body = `"${'x'.repeat(MiB - 2)}"`;
    const response = await send('POST /v1/plays HTTP/1.1', [['host', 'x'], ...playHeaders(body)], body);
    expect(response.status).toBe(202);
    expect(invoked[0]!.body).toHaveLength(MiB);
  });

  it('answers headers that stop coming with a JSON 408 (HTTP_HEADERS_TIMEOUT_MS)', async () => {
    const response = await rawExchange(url, ['GET /v1/regions HTTP/1.1\r\nhost: x\r\n'], {
      timeoutMs: 5_000,
    });
    expectJsonError(response, 408, /not received in time/);
  });

  it('answers a body that stops coming with a JSON 408 (HTTP_REQUEST_TIMEOUT_MS)', async () => {
    const response = await rawExchange(
      url,
      [
        rawRequest(
          'POST /v1/plays HTTP/1.1',
          [['host', 'x'], ...Object.entries(playsHeaders(NO_KEY)), ['content-length', '100']],
          '{"events": [',
        ),
      ],
      { timeoutMs: 5_000 },
    );
    expectJsonError(response, 408, /not received in time/);
    expect(invoked).toEqual([]);
  });

  describe('CORS', () => {
    const preflight = (path: string, origin: string, method: string) =>
      send(`OPTIONS ${path} HTTP/1.1`, [
        ['host', 'x'],
        ['origin', origin],
        ['access-control-request-method', method],
        ['access-control-request-headers', 'content-type'],
      ]);

    it('lets any page read charts and regions', async () => {
      for (const path of ['/v1/charts', '/v1/regions']) {
        const answer = await preflight(path, 'https://anyone.example', 'GET');
        expect(answer.status).toBe(204);
        expect(answer.headers['access-control-allow-origin']).toBe('*');
        expect(answer.headers['access-control-allow-methods']).toBe('GET');
      }
      const read = await send('GET /v1/regions HTTP/1.1', [
        ['host', 'x'],
        ['origin', 'https://anyone.example'],
      ]);
      expect(read.headers['access-control-allow-origin']).toBe('*');
    });

    it('lets only the configured origins post plays from a page', async () => {
      const allowed = await preflight('/v1/plays', APP_ORIGIN, 'POST');
      expect(allowed.status).toBe(204);
      expect(allowed.headers).toMatchObject({
        'access-control-allow-origin': APP_ORIGIN,
        'access-control-allow-methods': 'POST',
        // A page posts plays with its API key.
        'access-control-allow-headers': 'content-type, authorization',
        vary: 'origin',
      });
      const posted = await send(
        'POST /v1/plays HTTP/1.1',
        [['host', 'x'], ['origin', APP_ORIGIN], ...playHeaders(play)],
        play,
      );
      expect(posted.headers['access-control-allow-origin']).toBe(APP_ORIGIN);

      const refused = await preflight('/v1/plays', 'https://evil.example', 'POST');
      expectJsonError(refused, 403, /pages of https:\/\/evil\.example may not call POST \/v1\/plays/);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      const foreign = await send(
        'POST /v1/plays HTTP/1.1',
        [['host', 'x'], ['origin', 'https://evil.example'], ...playHeaders(play)],
        play,
      );
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('answers a preflight for a method the path lacks with 405, and a plain OPTIONS with its methods', async () => {
      expectJsonError(await preflight('/v1/plays', APP_ORIGIN, 'DELETE'), 405, /DELETE is not allowed/);
      const plain = await send('OPTIONS /v1/plays HTTP/1.1', [['host', 'x']]);
      expect(plain.status).toBe(204);
      expect(plain.headers.allow).toBe('POST, OPTIONS');
    });
  });

  it('serves the dashboard for HEAD and GET, and index.html for unknown paths', async () => {
    const head = await rawExchange(url, [rawRequest('HEAD / HTTP/1.1', [['host', 'x']])], {
      head: true,
      timeoutMs: 5_000,
    });
    expect(head.status).toBe(200);
    const deep = await send('GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1', [['host', 'x']]);
    expect(deep.status).toBe(200);
    expect(deep.body).toContain('<title>dashboard</title>');
  });
});
