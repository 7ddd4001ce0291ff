/**
 * The lake's S3 client as the composition root builds it from settings: it talks to the endpoint the settings
 * name, and gives up on a failing server after a bounded number of tries, so the trigger's retry takes over.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { S3_CALL_BOUNDS } from '../../../src/adapters/object-store/s3.ts';
import { loadSettings } from '../../../src/config/settings.ts';
import { createDependencies } from '../../../src/wiring/dependencies.ts';

let server: Server;
let endpoint: string;
const seen: string[] = [];
let answer: (request: IncomingMessage, response: ServerResponse) => void;

beforeAll(async () => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret');
  server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    request.resume();
    request.on('end', () => answer(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  vi.unstubAllEnvs();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const lakeAt = (url: string) =>
  createDependencies(
    loadSettings({ LAKE_URI: 's3://lake-bucket/dev/', AWS_ENDPOINT_URL_S3: url, AWS_REGION: 'us-east-1' }),
  ).lake();

describe('the lake S3 client', () => {
  it('puts to the endpoint of its settings, path-style', async () => {
    seen.length = 0;
    answer = (_request, response) => response.writeHead(200).end();
    await lakeAt(endpoint).put('plays/a.parquet', new Uint8Array([1]), 'application/vnd.apache.parquet');
    expect(seen).toEqual(['PUT /lake-bucket/dev/plays/a.parquet?x-id=PutObject']);
  });

  it(`tries a server answering 503 SlowDown ${S3_CALL_BOUNDS.maxAttempts} times, then fails the call`, async () => {
    seen.length = 0;
    answer = (_request, response) =>
      response
        .writeHead(503, { 'content-type': 'application/xml' })
        .end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
    await expect(lakeAt(endpoint).put('plays/b.parquet', new Uint8Array([1]), 'x')).rejects.toMatchObject({
      name: 'SlowDown',
      $metadata: { httpStatusCode: 503, attempts: 3 },
    });
    expect(seen).toHaveLength(3);
  });
});
