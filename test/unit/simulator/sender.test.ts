import { afterEach, describe, expect, it } from 'vitest';
import { createSender, retryAfterMs } from '../../../simulator/sender.ts';
import { acceptAll, type FakeApi, startFakeApi } from './fake-api.ts';

const events = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ n: from + i }));
let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function pushAll(sender: ReturnType<typeof createSender>, items: unknown[]) {
  for (const item of items) await sender.push(item);
  await sender.drain();
}

describe('createSender', () => {
  it('posts batches of the configured size to /v1/plays and counts what was accepted', async () => {
    api = await startFakeApi();
    const sender = createSender({ url: `${api.url}/`, batchSize: 100 });
    await pushAll(sender, events(250));
    expect(api.received.map((request) => [request.method, request.path, request.events.length])).toEqual([
      ['POST', '/v1/plays', 100],
      ['POST', '/v1/plays', 100],
      ['POST', '/v1/plays', 50],
    ]);
    expect(api.received.flatMap((request) => request.events)).toEqual(events(250));
    expect(sender.stats()).toMatchObject({
      sent: 250,
      accepted: 250,
      rejected: 0,
      retried: 0,
      failed: 0,
      batches: 3,
    });
    expect(sender.stats().eventsPerSecond).toBeGreaterThan(0);
  });

  it('retries a 503 after its Retry-After, then succeeds, without losing or repeating events', async () => {
    api = await startFakeApi((request, index) =>
      index === 0
        ? { status: 503, headers: { 'retry-after': '0' }, body: { message: 'unavailable' } }
        : acceptAll(request, index),
    );
    const sender = createSender({ url: api.url, batchSize: 10, baseDelayMs: 60_000 });
    const started = performance.now();
    await pushAll(sender, events(10));
    // Retry-After: 0 wins over the (huge) backoff.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(api.received).toHaveLength(2);
    expect(api.received[1]!.events).toEqual(api.received[0]!.events);
    expect(sender.stats()).toMatchObject({
      sent: 10,
      accepted: 10,
      retried: 1,
      failed: 0,
      batches: 1,
      failedBatches: 0,
    });
  });

  it('counts per-event rejections of a 202 by field', async () => {
    api = await startFakeApi((request) => ({
      status: 202,
      body: {
        accepted: request.events.length - 2,
        rejected: [
          { index: 0, errors: [{ field: 'region', message: 'unknown region' }] },
          {
            index: 3,
            errors: [
              { field: 'ms_played', message: 'must be a number' },
              { field: 'region', message: 'x' },
            ],
          },
        ],
      },
    }));
    const sender = createSender({ url: api.url, batchSize: 5 });
    await pushAll(sender, events(5));
    expect(sender.stats()).toMatchObject({
      sent: 5,
      accepted: 3,
      rejected: 2,
      rejectedByField: { region: 2, ms_played: 1 },
    });
  });

  it('sends its API key as a Bearer token', async () => {
    api = await startFakeApi();
    const sender = createSender({ url: api.url, batchSize: 2, apiKey: 'tsk_the-key' });
    await pushAll(sender, events(4));
    expect(api.received.map((request) => request.authorization)).toEqual([
      'Bearer tsk_the-key',
      'Bearer tsk_the-key',
    ]);
  });

  it('retries a 429 after its Retry-After, then succeeds, without losing or repeating events', async () => {
    api = await startFakeApi((request, index) =>
      index === 0
        ? { status: 429, headers: { 'retry-after': '0' }, body: { message: 'over the rate limit' } }
        : acceptAll(request, index),
    );
    const sender = createSender({ url: api.url, batchSize: 10, baseDelayMs: 60_000 });
    await pushAll(sender, events(10));
    expect(api.received.map((request) => request.events)).toEqual([events(10), events(10)]);
    expect(sender.stats()).toMatchObject({ sent: 10, accepted: 10, rejected: 0, retried: 1, failed: 0 });
  });

  it.each([401, 403])('fails a batch refused for its key (%i), never re-sending it', async (status) => {
    api = await startFakeApi(() => ({ status, body: { message: 'Forbidden' } }));
    const sender = createSender({ url: api.url, batchSize: 5, apiKey: 'tsk_revoked' });
    await pushAll(sender, events(5));
    expect(api.received).toHaveLength(1);
    expect(sender.stats()).toMatchObject({ sent: 0, rejected: 0, failed: 5, refusedBatches: 1, retried: 0 });
    expect(sender.stats().lastError).toMatch(new RegExp(`^HTTP ${status}: the API refused the key`));
  });

  it('never re-sends a batch answered with 4xx', async () => {
    api = await startFakeApi(() => ({ status: 400, body: { message: 'no valid events' } }));
    const sender = createSender({ url: api.url, batchSize: 4 });
    await pushAll(sender, events(8));
    expect(api.received).toHaveLength(2);
    expect(sender.stats()).toMatchObject({ sent: 8, accepted: 0, rejected: 8, retried: 0, failed: 0 });
    expect(sender.stats().lastError).toBe('HTTP 400: no valid events');
  });

  it('gives up on a batch after its attempts and reports it as failed', async () => {
    api = await startFakeApi(() => ({ status: 503, headers: { 'retry-after': '0' } }));
    const sender = createSender({ url: api.url, batchSize: 5, maxAttempts: 3 });
    await pushAll(sender, events(5));
    expect(api.received).toHaveLength(3);
    expect(sender.stats()).toMatchObject({ sent: 0, retried: 2, failed: 5, failedBatches: 1 });
  });

  it('retries network errors with backoff', async () => {
    api = await startFakeApi();
    const url = api.url;
    await api.close();
    api = undefined;
    const sender = createSender({ url, batchSize: 5, maxAttempts: 2, baseDelayMs: 1 });
    await pushAll(sender, events(5));
    expect(sender.stats()).toMatchObject({ sent: 0, retried: 1, failed: 5 });
    expect(sender.stats().lastError).toMatch(/ECONNREFUSED/);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    api = await startFakeApi();
    api.delayMs = 30;
    const sender = createSender({ url: api.url, batchSize: 2, concurrency: 3 });
    await pushAll(sender, events(40));
    expect(api.received).toHaveLength(20);
    expect(api.maxConcurrent).toBe(3);
    expect(sender.stats()).toMatchObject({ sent: 40, accepted: 40, inFlight: 0 });
  });

  it('stops cleanly when aborted, counting what it did not send', async () => {
    api = await startFakeApi();
    api.delayMs = 2000;
    const abort = new AbortController();
    const sender = createSender({ url: api.url, batchSize: 5, signal: abort.signal });
    for (const event of events(10)) await sender.push(event);
    setTimeout(() => abort.abort(), 50);
    await sender.drain();
    await sender.push({ late: true });
    expect(sender.stats()).toMatchObject({ sent: 0, failed: 0, unsent: 11, inFlight: 0 });
  });

  it('rejects batch sizes the API would refuse', () => {
    expect(() => createSender({ url: 'http://127.0.0.1:9', batchSize: 501 })).toThrow();
    expect(() => createSender({ url: 'http://127.0.0.1:9', batchSize: 0 })).toThrow();
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and caps them', () => {
    const now = Date.parse('2026-11-27T10:00:00Z');
    expect(retryAfterMs('0')).toBe(0);
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('Fri, 27 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('86400')).toBe(60_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
