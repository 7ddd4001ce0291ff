/**
 * POST /v1/plays while the database behind the API keys is down, against a PostgreSQL of the test's own
 * (really stopped, then started again on the same port and data folder) and the local runtime pointed at it:
 * a key the gateway has cached reaches ingest, which cannot count it and answers 503 with Retry-After; a key
 * it has not cached gets the gateway's 500 (the authorizer cannot look it up). Nothing is taken meanwhile, and
 * both keys are served again once the database is back, with no restart.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentPlay } from '../../devkit/play-batches.ts';
import { postPlays } from '../../devkit/post-plays.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/adapters/postgres/embedded.ts';
import type { EmbeddedTransport } from '../../src/adapters/transport/embedded/transport.ts';
import { topics } from '../../src/topology.ts';
import { createApiKey } from '../../src/use-cases/manage-api-keys.ts';

describe('POST /v1/plays with the database of the API keys down', () => {
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  let database: EmbeddedDatabase | undefined;
  let runtime: LocalRuntime | undefined;

  beforeAll(async () => {
    dir = await makeTempDir('ingest-db-outage');
    database = await startEmbeddedPostgres(join(dir.path, 'postgres'));
    runtime = await startLocalRuntime({
      env: { TOP_SONGS_DATA_DIR: dir.path, PORT: '0', DATABASE_URL: database.url },
      schedules: false,
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    await database?.stop();
    await dir?.remove();
  });

  const held = async () =>
    ((await runtime!.dependencies.transport()) as EmbeddedTransport)
      .endOffsets(topics.plays.name)
      .reduce((sum, offset) => sum + offset, 0);

  it('answers 503 with Retry-After (cached key) or 500 (uncached key), takes nothing, and recovers by itself', async () => {
    const api = runtime!;
    const { key: uncached } = await createApiKey(await api.dependencies.apiKeys(), {
      name: 'not-yet-used',
      rateLimit: { requests: 100, windowSeconds: 1 },
    });
    // The development key's allow is now cached by the gateway.
    expect((await postPlays(api, { events: [recentPlay()] })).status).toBe(202);
    const before = await held();

    const port = Number(new URL(database!.url).port);
    await database!.stop();
    database = undefined;
    const cachedKey = await postPlays(api, { events: [recentPlay()] });
    expect(cachedKey.status).toBe(503);
    expect(Number(cachedKey.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await cachedKey.json()) as { message: string }).message).toMatch(
      /the API key's rate could not be checked \(PostgreSQL is unreachable .*\); retry the request/,
    );
    const uncachedKey = await postPlays(api, { events: [recentPlay()] }, { apiKey: uncached });
    expect(uncachedKey.status).toBe(500);
    expect(await uncachedKey.json()).toEqual({ message: 'Internal Server Error' });
    expect(await held()).toBe(before);

    database = await startEmbeddedPostgres(join(dir.path, 'postgres'), { port });
    await waitFor('ingest to take plays again', async () =>
      (await postPlays(api, { events: [recentPlay()] })).status === 202 ? true : undefined,
    );
    expect((await postPlays(api, { events: [recentPlay()] }, { apiKey: uncached })).status).toBe(202);
    // Only the two answered 202 were taken: the retries refused meanwhile took nothing.
    expect(await held()).toBe(before + 2);
  });
});
