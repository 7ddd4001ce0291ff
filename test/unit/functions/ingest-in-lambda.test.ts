/**
 * The functions in AWS Lambda (detected by the AWS_LAMBDA_FUNCTION_NAME that Lambda sets) with no transport
 * configured: the embedded transport is refused, since its log would sit on the execution environment's
 * temporary disk where no consumer reads it. Ingest answers 503 with Retry-After instead of a 202.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler as ingest } from '../../../functions/ingest/handler.ts';
import { lambdaContext } from '../../../local/lambda-events.ts';
import { loadSettings } from '../../../src/config/settings.ts';
import { TransportUnavailableError } from '../../../src/ports/transport.ts';
import {
  createDependencies,
  type Dependencies,
  installDependencies,
} from '../../../src/wiring/dependencies.ts';
import { logger } from '../../../src/wiring/logger.ts';
import { asAuthorized } from '../support/authorized.ts';
import { postgresForThisFile } from '../support/postgres.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

// Ingest counts each request against its API key's rate limit, in PostgreSQL, before it publishes.
const databaseUrl = postgresForThisFile('ingest-lambda');
let dataDir: TempDir | undefined;
let deps: Dependencies | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  installDependencies(undefined);
  await deps?.close();
  await dataDir?.remove();
});

async function dependenciesWith(env: Record<string, string>): Promise<Dependencies> {
  dataDir = await tempDir('ingest-lambda');
  deps = createDependencies(
    loadSettings({ TOP_SONGS_DATA_DIR: dataDir.path, DATABASE_URL: databaseUrl(), ...env }),
    () => {
      return new Date('2026-11-20T10:50:00Z');
    },
  );
  installDependencies(deps);
  return deps;
}

async function postRecordedPlays(): Promise<APIGatewayProxyStructuredResultV2> {
  const event = await asAuthorized(
    JSON.parse(
      await readFile(
        join(import.meta.dirname, '../../fixtures/events/api-gateway-v2-post-plays.json'),
        'utf8',
      ),
    ),
    deps!,
  );
  return (await (ingest as (event: unknown, context: unknown) => Promise<unknown>)(
    event,
    lambdaContext('ingest', 10),
  )) as APIGatewayProxyStructuredResultV2;
}

describe('in AWS Lambda without a transport setting', () => {
  const inLambda = { AWS_LAMBDA_FUNCTION_NAME: 'TopSongs-dev-FunctionsIngest' };

  it('ingest answers 503 with Retry-After, writes nothing to the temporary disk, and logs why once', async () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => {});
    await dependenciesWith(inLambda);
    for (const _request of [1, 2]) {
      const response = await postRecordedPlays();
      expect(response.statusCode).toBe(503);
      expect(response.headers).toMatchObject({ 'content-type': 'application/json' });
      expect(Number(response.headers?.['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(response.body!).message).toMatch(/no transport is configured.*none of the events/);
    }
    expect(existsSync(join(dataDir!.path, 'transport'))).toBe(false);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]![0])).toMatch(
      /TopSongs-dev-FunctionsIngest runs in AWS Lambda with no transport configured.*KINESIS_STREAM/,
    );
  });

  it('fails any other function that asks for the transport, with the same clear error', async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => {});
    const lambda = await dependenciesWith(inLambda);
    const refusal = lambda.transport();
    await expect(refusal).rejects.toBeInstanceOf(TransportUnavailableError);
    await expect(refusal).rejects.toThrow(/no transport is configured for this deployment/);
  });

  it('is what makes the difference: outside Lambda the same settings take the plays (embedded transport)', async () => {
    await dependenciesWith({});
    expect((await postRecordedPlays()).statusCode).toBe(202);
    expect(existsSync(join(dataDir!.path, 'transport'))).toBe(true);
  });
});
