/**
 * The API key store and the rate limiter against a real (embedded) PostgreSQL: keys are found by hash only
 * while in use, names are unique among keys in use, and the fixed-window counter is exact under concurrent
 * requests from several pools (as from several Lambda instances).
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresApiKeyStore } from '../../../src/adapters/postgres/api-key-store.ts';
import { migrate } from '../../../src/adapters/postgres/migrate.ts';
import { onConnection, resilientPool } from '../../../src/adapters/postgres/pool.ts';
import { COUNT_REQUEST, PostgresRateLimiter } from '../../../src/adapters/postgres/rate-limiter.ts';
import { generateApiKey, type RateLimit } from '../../../src/domain/api-keys.ts';
import { ApiKeyNameTakenError } from '../../../src/ports/api-key-store.ts';
import { postgresForThisFile } from '../support/postgres.ts';

const TIMEOUT_MS = 5_000;
const databaseUrl = postgresForThisFile('api-keys');
const pools: pg.Pool[] = [];
let keys: PostgresApiKeyStore;

const openPool = () => {
  const pool = resilientPool({ connectionString: databaseUrl(), max: 5 }, () => {});
  pools.push(pool);
  return pool;
};

beforeAll(async () => {
  const pool = openPool();
  await onConnection(pool, TIMEOUT_MS, migrate);
  keys = new PostgresApiKeyStore(pool, TIMEOUT_MS);
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
});

const perMinute: RateLimit = { requests: 25, windowSeconds: 60 };
async function newKey(name: string, rateLimit = perMinute) {
  const generated = generateApiKey();
  const record = await keys.create({ name, prefix: generated.prefix, hash: generated.hash, rateLimit });
  return { ...generated, record };
}

describe('PostgresApiKeyStore', () => {
  it('finds a key by its hash while it is in use, and never after it is revoked', async () => {
    const { hash, prefix, record } = await newKey('finder', { requests: 10, windowSeconds: 1 });
    expect(record).toMatchObject({ name: 'finder', prefix, rateLimit: { requests: 10, windowSeconds: 1 } });
    expect(await keys.findActive(hash)).toEqual({
      id: record.id,
      name: 'finder',
      rateLimit: { requests: 10, windowSeconds: 1 },
    });
    expect(await keys.findActive(generateApiKey().hash)).toBeUndefined();
    const revoked = await keys.revoke({ id: record.id });
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    expect(await keys.findActive(hash)).toBeUndefined();
    // Revoking again keeps the first revocation's time.
    expect((await keys.revoke({ id: record.id }))?.revokedAt).toEqual(revoked?.revokedAt);
  });

  it('keeps names unique among keys in use, and lets a revoked key’s name be used again', async () => {
    const first = await newKey('shared-name');
    await expect(newKey('shared-name')).rejects.toThrow(ApiKeyNameTakenError);
    expect((await keys.revoke({ name: 'shared-name' }))?.id).toBe(first.record.id);
    expect(await keys.revoke({ name: 'shared-name' })).toBeUndefined();
    const second = await newKey('shared-name');
    expect(second.record.id).not.toBe(first.record.id);
    const listed = (await keys.list()).filter((key) => key.name === 'shared-name');
    expect(listed.map((key) => [key.id, key.revokedAt !== undefined])).toEqual([
      [first.record.id, true],
      [second.record.id, false],
    ]);
    expect(await keys.revoke({ id: '999999' })).toBeUndefined();
  });

  it('stores only the hash and the prefix, never the key', async () => {
    const { key, record } = await newKey('no-secrets');
    const { rows } = await pools[0]!.query('SELECT to_jsonb(k)::text AS row FROM api_keys k WHERE id = $1', [
      record.id,
    ]);
    expect(rows[0].row).not.toContain(key.slice(12));
  });
});

describe('PostgresRateLimiter', () => {
  const windowStart = new Date('2026-11-20T10:41:00Z');
  const at = new Date('2026-11-20T10:41:07Z');

  it('counts concurrent requests from several pools exactly: N of them within a limit of N', async () => {
    const { record } = await newKey('concurrent');
    const limiters = [openPool(), openPool(), openPool(), openPool()].map(
      (pool) => new PostgresRateLimiter(pool, TIMEOUT_MS),
    );
    const requests = 60;
    const counts = await Promise.all(
      Array.from({ length: requests }, (_, i) =>
        limiters[i % limiters.length]!.countRequest(record.id, windowStart, at),
      ),
    );
    // Every request got its own count: 1..60, each once.
    expect(counts.map((count) => count?.requests).sort((a, b) => a! - b!)).toEqual(
      Array.from({ length: requests }, (_, i) => i + 1),
    );
    const allowed = counts.filter((count) => count!.requests <= perMinute.requests);
    expect(allowed).toHaveLength(perMinute.requests);
    expect((await keys.list()).find((key) => key.id === record.id)?.lastUsedAt).toEqual(at);
  });

  it('starts again in a later window, and counts a lagging caller’s earlier window in the later one', async () => {
    const { record } = await newKey('windows');
    const limiter = new PostgresRateLimiter(pools[0]!, TIMEOUT_MS);
    const next = new Date(windowStart.getTime() + 60_000);
    expect(await limiter.countRequest(record.id, windowStart, at)).toEqual({ requests: 1, windowStart });
    expect(await limiter.countRequest(record.id, windowStart, at)).toEqual({ requests: 2, windowStart });
    expect(await limiter.countRequest(record.id, next, next)).toEqual({ requests: 1, windowStart: next });
    expect(await limiter.countRequest(record.id, windowStart, at)).toEqual({
      requests: 2,
      windowStart: next,
    });
  });

  it('counts nothing for a revoked or unknown key', async () => {
    const { record } = await newKey('revoked-counter');
    const limiter = new PostgresRateLimiter(pools[0]!, TIMEOUT_MS);
    await keys.revoke({ id: record.id });
    expect(await limiter.countRequest(record.id, windowStart, at)).toBeUndefined();
    expect(await limiter.countRequest('999999', windowStart, at)).toBeUndefined();
    const { rows } = await pools[0]!.query('SELECT count(*)::int AS n FROM api_key_usage WHERE key_id = $1', [
      record.id,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('does not wait for its commit to reach the disk, in its own transaction only', async () => {
    const { record } = await newKey('commit-not-awaited');
    const client = await pools[0]!.connect();
    try {
      const setting = async () =>
        (await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]
          ?.synchronous_commit;
      const before = await setting();
      await client.query('BEGIN');
      await client.query(COUNT_REQUEST, [record.id, windowStart, at]);
      expect(await setting()).toBe('off');
      await client.query('COMMIT');
      expect([before, await setting()]).toEqual(['on', 'on']);
    } finally {
      client.release();
    }
  });
});
