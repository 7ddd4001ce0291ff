/**
 * The database functions at a cold start whose PostgreSQL is out of reach: refusing connections, or taking
 * them and never answering. The charts API answers 503 with Retry-After (never a 500, never its function's
 * timeout) and still lists the regions; a chart job fails with a StoreUnavailableError saying why.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { handler as chartHourly } from '../../../functions/chart-hourly/handler.ts';
import { handler as chartsApi } from '../../../functions/charts-api/handler.ts';
import { lambdaContext } from '../../../local/lambda-events.ts';
import { loadSettings } from '../../../src/config/settings.ts';
import { StoreUnavailableError } from '../../../src/ports/chart-store.ts';
import { functionNamed } from '../../../src/topology.ts';
import { createDependencies, installDependencies } from '../../../src/wiring/dependencies.ts';
import { closedPort, tcpServer } from '../support/net.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const DATABASE_TIMEOUT_MS = 500;

let dataDir: TempDir | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  installDependencies(undefined);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await dataDir?.remove();
});

async function withDatabaseAt(port: number): Promise<void> {
  dataDir = await tempDir('database-out-of-reach');
  const deps = createDependencies(
    loadSettings({
      TOP_SONGS_DATA_DIR: dataDir.path,
      DATABASE_URL: `postgres://top:songs@127.0.0.1:${port}/top_songs`,
      DATABASE_TIMEOUT_MS: String(DATABASE_TIMEOUT_MS),
    }),
  );
  installDependencies(deps);
  cleanups.push(() => deps.close());
}

type Invocable = (event: unknown, context: unknown) => Promise<unknown>;

async function get(
  fixture: string,
): Promise<{ response: APIGatewayProxyStructuredResultV2; elapsedMs: number }> {
  const event = JSON.parse(
    await readFile(join(import.meta.dirname, '../../fixtures/events', fixture), 'utf8'),
  );
  const started = Date.now();
  const response = (await (chartsApi as Invocable)(
    event,
    lambdaContext('charts-api', functionNamed('charts-api').timeoutSeconds),
  )) as APIGatewayProxyStructuredResultV2;
  return { response, elapsedMs: Date.now() - started };
}

function expectUnavailable(response: APIGatewayProxyStructuredResultV2, reason: RegExp): void {
  expect(response.statusCode).toBe(503);
  expect(response.headers).toMatchObject({ 'content-type': 'application/json' });
  expect(Number(response.headers?.['retry-after'])).toBeGreaterThan(0);
  expect(JSON.parse(response.body!).message).toMatch(reason);
}

describe('the charts API with PostgreSQL out of reach at a cold start', () => {
  it('answers 503 with Retry-After when connections are refused, and still lists the regions', async () => {
    await withDatabaseAt(await closedPort());
    const { response } = await get('api-gateway-v2-get-charts.json');
    expectUnavailable(response, /PostgreSQL is unreachable \(ECONNREFUSED\).*retry the request/);
    const regions = await get('api-gateway-v2-get-regions.json');
    expect(regions.response.statusCode).toBe(200);
  });

  it('answers 503 within the database timeout when the server never answers, long before its own timeout', async () => {
    // A "database" that takes connections and never answers.
    const silent = await tcpServer();
    cleanups.push(() => silent.close());
    await withDatabaseAt(silent.port);
    const { response, elapsedMs } = await get('api-gateway-v2-get-charts.json');
    // The pool's connect timeout and the statement's deadline are both 500 ms here: which one fires first
    // depends on the machine's load, and either names the database as the cause.
    expectUnavailable(response, /PostgreSQL (did not answer within 500 ms|is unreachable \(no connection\))/);
    // One connection, given up on at the database timeout (the message): no retry, no second wait.
    expect(silent.sockets.length).toBe(1);
    expect(elapsedMs).toBeLessThan(functionNamed('charts-api').timeoutSeconds * 1000);
  });
});

describe('a chart job with PostgreSQL out of reach', () => {
  it('fails with a StoreUnavailableError that says so', async () => {
    await withDatabaseAt(await closedPort());
    const run = (chartHourly as Invocable)(
      { period: 'hour', window_start: '2026-11-20T10:00:00Z' },
      lambdaContext('chart-hourly', 60),
    );
    await expect(run).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(run).rejects.toThrow('PostgreSQL is unreachable (ECONNREFUSED)');
  });
});
