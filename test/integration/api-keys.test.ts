/**
 * API keys through the real local runtime (HTTP server, the gateway's authorizer step, the authorizer and
 * ingest functions, embedded PostgreSQL): what a client sees with no key, a wrong one, a revoked one and one
 * over its rate. The runtime's clock is moved on to pass the authorizer's cache TTL instead of waiting.
 */
import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentPlay } from '../../devkit/play-batches.ts';
import { postPlays } from '../../devkit/post-plays.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { readApiKeyFile } from '../../local/dev-api-key.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import type { EmbeddedTransport } from '../../src/adapters/transport/embedded/transport.ts';
import { generateApiKey, rateWindowAt } from '../../src/domain/api-keys.ts';
import type { ApiKeyStore } from '../../src/ports/api-key-store.ts';
import { functionNamed, topics } from '../../src/topology.ts';
import { createApiKey } from '../../src/use-cases/manage-api-keys.ts';

const authorizer = functionNamed('api-key-authorizer');
const TTL_MS =
  authorizer.trigger.kind === 'authorizer' ? authorizer.trigger.resultsCacheTtlSeconds * 1000 : Number.NaN;

describe('API keys on POST /v1/plays, locally', () => {
  let runtime: LocalRuntime;
  let keys: ApiKeyStore;
  let removeDataDir: () => Promise<void>;
  let clockOffsetMs = 0;
  const now = () => new Date(Date.now() + clockOffsetMs);

  beforeAll(async () => {
    const dir = await makeTempDir('api-keys');
    removeDataDir = dir.remove;
    runtime = await startLocalRuntime({
      env: { TOP_SONGS_DATA_DIR: dir.path, PORT: '0' },
      schedules: false,
      clock: now,
    });
    keys = await runtime.dependencies.apiKeys();
  });

  afterAll(async () => {
    await runtime?.stop();
    await removeDataDir?.();
  });

  const play = () => ({ events: [recentPlay()] });
  const held = async () =>
    ((await runtime.dependencies.transport()) as EmbeddedTransport)
      .endOffsets(topics.plays.name)
      .reduce((sum, offset) => sum + offset, 0);
  const answer = async (response: Response) => ({
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    retryAfter: response.headers.get('retry-after'),
  });

  it('keeps its development key in <data dir>/dev-api-key, readable by its owner only, and takes it', async () => {
    expect(await readApiKeyFile(runtime.apiKeyFile)).toBe(runtime.apiKey);
    expect((await stat(runtime.apiKeyFile)).mode & 0o777).toBe(0o600);
    expect(await answer(await postPlays(runtime, play()))).toMatchObject({
      status: 202,
      body: { accepted: 1 },
    });
  });

  it('answers 401 without a key, as API Gateway does', async () => {
    const response = await postPlays(runtime, play(), { apiKey: null });
    expect(await answer(response)).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
  });

  it('answers 403 for a wrong key, and keeps charts public', async () => {
    for (const apiKey of [generateApiKey().key, 'not-a-key', `${runtime.apiKey}x`]) {
      expect(await answer(await postPlays(runtime, play(), { apiKey }))).toMatchObject({
        status: 403,
        body: { message: 'Forbidden' },
      });
    }
    expect((await fetch(`${runtime.url}/v1/regions`)).status).toBe(200);
  });

  it('refuses a revoked key at once in ingest, and in the authorizer once its cached answer expires', async () => {
    const { key, record } = await createApiKey(keys, {
      name: 'revoked-soon',
      rateLimit: { requests: 100, windowSeconds: 60 },
    });
    expect((await postPlays(runtime, play(), { apiKey: key })).status).toBe(202);
    await keys.revoke({ id: record.id });
    // The authorizer's allow is still cached: ingest's rate check finds the key revoked.
    expect(await answer(await postPlays(runtime, play(), { apiKey: key }))).toMatchObject({
      status: 403,
      body: { message: expect.stringMatching(/"revoked-soon" is no longer in use/) },
    });
    clockOffsetMs += TTL_MS;
    expect(await answer(await postPlays(runtime, play(), { apiKey: key }))).toMatchObject({
      status: 403,
      body: { message: 'Forbidden' },
    });
  });

  it('caches a refusal too: a key refused, then created, is taken once the TTL has passed', async () => {
    const generated = generateApiKey();
    expect((await postPlays(runtime, play(), { apiKey: generated.key })).status).toBe(403);
    await keys.create({
      name: 'late',
      prefix: generated.prefix,
      hash: generated.hash,
      rateLimit: { requests: 100, windowSeconds: 60 },
    });
    expect((await postPlays(runtime, play(), { apiKey: generated.key })).status).toBe(403);
    clockOffsetMs += TTL_MS;
    expect((await postPlays(runtime, play(), { apiKey: generated.key })).status).toBe(202);
  });

  it('answers 429 with Retry-After over the key’s rate, and never takes the refused plays', async () => {
    const { key } = await createApiKey(keys, {
      name: 'twice-an-hour',
      rateLimit: { requests: 2, windowSeconds: 3600 },
    });
    const bodies = [play(), play(), play(), play()];
    const heldBefore = await held();
    const answers = [];
    for (const body of bodies) {
      const windowEnd = rateWindowAt(now(), 3600).end.getTime();
      const before = Math.ceil((windowEnd - now().getTime()) / 1000);
      const got = await answer(await postPlays(runtime, body, { apiKey: key }));
      const after = Math.ceil((windowEnd - now().getTime()) / 1000);
      answers.push({ ...got, before, after });
    }
    expect(answers.map(({ status }) => status)).toEqual([202, 202, 429, 429]);
    expect((await held()) - heldBefore).toBe(2);
    for (const refused of answers.slice(2)) {
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(refused.before);
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(refused.after);
      expect(refused.body).toMatchObject({
        message: expect.stringMatching(/"twice-an-hour" is over its rate limit of 2\/h/),
        retry_after_seconds: Number(refused.retryAfter),
      });
    }
    // Other keys keep their own counts.
    expect((await postPlays(runtime, play())).status).toBe(202);
  });
});
