import { describe, expect, it } from 'vitest';
import { type ActiveApiKey, authorizerContextOf, generateApiKey } from '../../../src/domain/api-keys.ts';
import { StoreUnavailableError } from '../../../src/ports/chart-store.ts';
import { admitApiCaller } from '../../../src/use-cases/admit-api-caller.ts';
import { authorizeApiKey } from '../../../src/use-cases/authorize-api-key.ts';
import { ApiKeyRequestError, createApiKey, ensureNamedKey } from '../../../src/use-cases/manage-api-keys.ts';
import { countingLimiter } from './counting-limiter.ts';
import { memoryKeyStore } from './memory-key-store.ts';

const perMinute = (requests: number) => ({ requests, windowSeconds: 60 }) as const;

describe('authorizeApiKey', () => {
  it('allows a key in use, with its id, name and rate limit as context', async () => {
    const keys = memoryKeyStore();
    const { key, record } = await createApiKey(keys, { name: 'simulator', rateLimit: perMinute(600) });
    expect(await authorizeApiKey(`Bearer ${key}`, { keys })).toEqual({
      isAuthorized: true,
      context: { keyId: record.id, keyName: 'simulator', rateLimit: 600, rateWindowSeconds: 60 },
    });
  });

  it('refuses an unknown key and a revoked one', async () => {
    const keys = memoryKeyStore();
    const { key, record } = await createApiKey(keys, { name: 'old', rateLimit: perMinute(5) });
    expect(await authorizeApiKey(`Bearer ${generateApiKey().key}`, { keys })).toEqual({
      isAuthorized: false,
    });
    await keys.revoke({ id: record.id });
    expect(await authorizeApiKey(`Bearer ${key}`, { keys })).toEqual({ isAuthorized: false });
  });

  it('refuses a header that holds no well-formed key without asking the store', async () => {
    const keys = memoryKeyStore();
    for (const header of [
      undefined,
      'Bearer',
      'Bearer abc',
      'Basic dXNlcjpwYXNz',
      `Token ${generateApiKey().key}`,
    ]) {
      expect(await authorizeApiKey(header, { keys })).toEqual({ isAuthorized: false });
    }
    expect(keys.lookups()).toBe(0);
  });
});

describe('admitApiCaller', () => {
  const key: ActiveApiKey = { id: '3', name: 'ci', rateLimit: perMinute(3) };
  const at = (iso: string) => () => new Date(iso);

  it('answers 401 with WWW-Authenticate: Bearer when no authorizer vouched for the caller', async () => {
    const limiter = countingLimiter(['3']);
    for (const authorizer of [
      undefined,
      {},
      { keyId: '3' },
      { ...authorizerContextOf(key), rateLimit: 'lots' },
    ]) {
      const answer = await admitApiCaller(authorizer, {
        rateLimiter: limiter,
        clock: at('2026-11-20T10:41:07Z'),
      });
      expect(answer?.statusCode).toBe(401);
      expect(answer?.headers).toEqual({ 'www-authenticate': 'Bearer realm="top-songs"' });
    }
    expect(limiter.counters.size).toBe(0);
  });

  it('admits exactly the limit in a window, then 429 with Retry-After until the window ends', async () => {
    const limiter = countingLimiter(['3']);
    const ports = { rateLimiter: limiter, clock: at('2026-11-20T10:41:07.250Z') };
    const context = authorizerContextOf(key);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await admitApiCaller(context, ports));
    expect(answers.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    for (const answer of answers.slice(3)) {
      expect(answer?.statusCode).toBe(429);
      // 10:41:07.250 → the window ends at 10:42:00: 52.75 s, rounded up.
      expect(answer?.headers).toEqual({ 'retry-after': '53' });
      expect(answer?.body).toMatchObject({
        retry_after_seconds: 53,
        message: expect.stringMatching(/3\/min/),
      });
    }
    // The next window admits again.
    expect(await admitApiCaller(context, { ...ports, clock: at('2026-11-20T10:42:00Z') })).toBeUndefined();
  });

  it('answers 403 for a key revoked since the authorizer answered, and 503 when it cannot count', async () => {
    const context = authorizerContextOf(key);
    const revoked = await admitApiCaller(context, {
      rateLimiter: countingLimiter([]),
      clock: at('2026-11-20T10:41:07Z'),
    });
    expect(revoked?.statusCode).toBe(403);
    const down = await admitApiCaller(context, {
      rateLimiter: countingLimiter(
        ['3'],
        new StoreUnavailableError('PostgreSQL is unreachable (ECONNREFUSED)', 7),
      ),
      clock: at('2026-11-20T10:41:07Z'),
    });
    expect(down?.statusCode).toBe(503);
    expect(down?.headers).toEqual({ 'retry-after': '7' });
    expect(down?.body).toMatchObject({ message: expect.stringMatching(/ECONNREFUSED/) });
    // Any other failure is a bug, not a reason to retry: it is not answered as 503.
    await expect(
      admitApiCaller(context, {
        rateLimiter: countingLimiter(['3'], new Error('column "requests" does not exist')),
        clock: at('2026-11-20T10:41:07Z'),
      }),
    ).rejects.toThrow(/does not exist/);
  });
});

describe('managing keys', () => {
  it('refuses a bad name and a name already in use, saying what to do', async () => {
    const keys = memoryKeyStore();
    await expect(createApiKey(keys, { name: '42', rateLimit: perMinute(1) })).rejects.toThrow(
      ApiKeyRequestError,
    );
    await createApiKey(keys, { name: 'ci', rateLimit: perMinute(1) });
    await expect(createApiKey(keys, { name: 'ci', rateLimit: perMinute(1) })).rejects.toThrow(
      /revoke it first/,
    );
  });

  it('keeps a named key while it is in use, and replaces it once lost or revoked', async () => {
    const keys = memoryKeyStore();
    const rateLimit = perMinute(100);
    const first = await ensureNamedKey(keys, { candidate: undefined, name: 'dev', rateLimit });
    expect(first.created).toBe(true);
    expect(await ensureNamedKey(keys, { candidate: first.key, name: 'dev', rateLimit })).toEqual({
      key: first.key,
      created: false,
    });
    // The file holding it is gone: a new key, and the old one (whose secret nobody has) is revoked.
    const second = await ensureNamedKey(keys, { candidate: 'garbage', name: 'dev', rateLimit });
    expect(second.created).toBe(true);
    expect(second.key).not.toBe(first.key);
    expect((await authorizeApiKey(`Bearer ${first.key}`, { keys })).isAuthorized).toBe(false);
    expect((await authorizeApiKey(`Bearer ${second.key}`, { keys })).isAuthorized).toBe(true);
    await keys.revoke({ name: 'dev' });
    const third = await ensureNamedKey(keys, { candidate: second.key, name: 'dev', rateLimit });
    expect(third.created).toBe(true);
    expect(keys.keys.filter((stored) => !stored.revokedAt).map((stored) => stored.name)).toEqual(['dev']);
  });
});
