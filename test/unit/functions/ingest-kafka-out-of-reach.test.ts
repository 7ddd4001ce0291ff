/**
 * The ingest handler at a cold start whose Kafka brokers are out of reach: refusing connections, or taking
 * them and never answering (a hung broker). Either way a 503 with Retry-After, within the publish timeout,
 * so before the function's own timeout: never a 500, never a Lambda timeout.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { handler as ingest } from '../../../functions/ingest/handler.ts';
import { lambdaContext } from '../../../local/lambda-events.ts';
import { loadSettings } from '../../../src/config/settings.ts';
import { functionNamed } from '../../../src/topology.ts';
import { createDependencies, installDependencies } from '../../../src/wiring/dependencies.ts';
import { asAuthorized } from '../support/authorized.ts';
import { closedPort, tcpServer } from '../support/net.ts';
import { postgresForThisFile } from '../support/postgres.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const PUBLISH_TIMEOUT_MS = 1_500;
/**
 * The promise under test: an answer before Lambda would time the function out. (Not a speed check: on a
 * loaded machine a cold start's imports alone can take seconds, so only the function's own limit is a
 * bound that means something.)
 */
const FUNCTION_TIMEOUT_MS = functionNamed('ingest').timeoutSeconds * 1000;

// Ingest counts each request against its API key's rate limit, in PostgreSQL.
const databaseUrl = postgresForThisFile('ingest-kafka');
let dataDir: TempDir | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  installDependencies(undefined);
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await dataDir?.remove();
});

async function postPlays(brokers: string) {
  dataDir = await tempDir('ingest-kafka');
  const deps = createDependencies(
    loadSettings({
      TOP_SONGS_DATA_DIR: dataDir.path,
      KAFKA_BROKERS: brokers,
      KAFKA_PUBLISH_TIMEOUT_MS: String(PUBLISH_TIMEOUT_MS),
      DATABASE_URL: databaseUrl(),
    }),
    () => new Date('2026-11-20T10:50:00Z'),
  );
  installDependencies(deps);
  cleanups.push(() => deps.close());
  const event = await asAuthorized(
    JSON.parse(
      await readFile(
        join(import.meta.dirname, '../../fixtures/events/api-gateway-v2-post-plays.json'),
        'utf8',
      ),
    ),
    deps,
  );
  const started = Date.now();
  const response = (await (ingest as (event: unknown, context: unknown) => Promise<unknown>)(
    event,
    lambdaContext('ingest', functionNamed('ingest').timeoutSeconds),
  )) as APIGatewayProxyStructuredResultV2;
  return { response, elapsedMs: Date.now() - started };
}

describe('ingest with its Kafka brokers out of reach at a cold start', () => {
  it('answers 503 with Retry-After when they refuse connections', async () => {
    const { response, elapsedMs } = await postPlays(`127.0.0.1:${await closedPort()}`);
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers?.['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(response.body!).message).toMatch(/retry the request/);
    expect(elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
  });

  it('answers 503 with Retry-After within the publish timeout when they never answer', async () => {
    // A port that takes connections and never answers.
    const broker = await tcpServer();
    cleanups.push(() => broker.close());
    const { response, elapsedMs } = await postPlays(`127.0.0.1:${broker.port}`);
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers?.['retry-after'])).toBeGreaterThan(0);
    expect(broker.sockets.length).toBeGreaterThan(0);
    expect(elapsedMs).toBeGreaterThanOrEqual(PUBLISH_TIMEOUT_MS - 50);
    expect(elapsedMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
  });
});
