/** The api bench's load generator: its schedule, and that it counts every answer once, good or bad. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dueBy, pacedLoad, percentile } from '../../../bench/paced-load.ts';

describe('dueBy', () => {
  it('is due the first request at the start and one more each interval, never more than the count', () => {
    // One every 0.5 ms: at 0 the first, at 0.49 ms still one, at 0.5 ms two, at 10 ms 21, capped at 20.
    expect(dueBy(-1n, 500_000, 20)).toBe(0);
    expect(dueBy(0n, 500_000, 20)).toBe(1);
    expect(dueBy(499_999n, 500_000, 20)).toBe(1);
    expect(dueBy(500_000n, 500_000, 20)).toBe(2);
    expect(dueBy(9_999_999n, 500_000, 20)).toBe(20);
    expect(dueBy(10_000_000n, 500_000, 20)).toBe(20);
  });

  it('spreads a fractional interval evenly: 3 a second over 1 s is due at 0, 333.3 and 666.7 ms', () => {
    const interval = 1e9 / 3;
    expect(dueBy(333_333_333n, interval, 3)).toBe(1);
    expect(dueBy(333_333_334n, interval, 3)).toBe(2);
    expect(dueBy(666_666_667n, interval, 3)).toBe(3);
  });
});

describe('percentile', () => {
  it('is the nearest rank: the smallest value with p% of them at or below it', () => {
    const hundred = Array.from({ length: 100 }, (_, index) => 100 - index); // 100 … 1, unsorted
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile([7, 3, 5], 99)).toBe(7);
    expect(percentile([7, 3, 5], 1)).toBe(3);
    expect(() => percentile([], 99)).toThrow(/no values/);
  });
});

describe('pacedLoad', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  /** A server answering the n-th request (from 1) with `answer(n)`, counting what it was sent. */
  async function serve(answer: (n: number) => { status: number; body: string }) {
    let received = 0;
    server = createServer((_request, response) => {
      const { status, body } = answer(++received);
      response.writeHead(status, { 'content-length': Buffer.byteLength(body) });
      response.end(body);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      received: () => received,
    };
  }

  it('sends rate × seconds requests, each answered once, and counts the right answers good', async () => {
    const target = await serve(() => ({ status: 200, body: 'x'.repeat(100) }));
    const report = await pacedLoad({ url: target.url, rate: 200, connections: 4, seconds: 0.5, bytes: 100 });
    expect(target.received()).toBe(100);
    expect(report).toMatchObject({ offered: 100, good: 100, bad: 0 });
    expect(report.p50).toBeGreaterThan(0);
    expect(report.p99).toBeGreaterThanOrEqual(report.p50);
    expect(report.max).toBeGreaterThanOrEqual(report.p99);
    // One latency per good answer, the slowest of them the histogram's max (which keeps 3 significant digits).
    expect(report.latencies).toHaveLength(100);
    expect(Math.abs(Math.max(...report.latencies) - report.max) / report.max).toBeLessThan(0.005);
  });

  it('counts another status or another length bad, and only those', async () => {
    // Every 5th request a 503, every 7th a body one byte short: of 1..60, 12 and 8 with 35 in both, so 19 bad.
    const target = await serve((n) =>
      n % 5 === 0
        ? { status: 503, body: 'x'.repeat(10) }
        : { status: 200, body: 'x'.repeat(n % 7 === 0 ? 9 : 10) },
    );
    const report = await pacedLoad({ url: target.url, rate: 120, connections: 1, seconds: 0.5, bytes: 10 });
    expect(target.received()).toBe(60);
    expect(report).toMatchObject({ offered: 60, good: 41, bad: 19 });
  });

  it('sends the warm-up first, measures only what follows it, and still counts a bad warm-up answer bad', async () => {
    // 100/s: 20 warm-up requests (the first 20 answered 503), then 30 measured ones.
    const target = await serve((n) => ({ status: n <= 20 ? 503 : 200, body: 'x'.repeat(10) }));
    const sentAtMeasuring: number[] = [];
    const report = await pacedLoad(
      { url: target.url, rate: 100, connections: 4, seconds: 0.3, bytes: 10, warmup: 0.2 },
      () => sentAtMeasuring.push(target.received()),
    );
    expect(target.received()).toBe(50);
    expect(report).toMatchObject({ offered: 30, good: 30, bad: 20 });
    expect(sentAtMeasuring).toHaveLength(1);
    expect(sentAtMeasuring[0]).toBeLessThanOrEqual(20);
  });
});
