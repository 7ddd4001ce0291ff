import { monitorEventLoopDelay } from 'node:perf_hooks';
import type pg from 'pg';

/** The line's prefix; the rest is JSON (PoolReport). */
export const POOL_REPORT_PREFIX = 'pg-pool ';

/** How one kind of checkout fared over a report's interval, in ms. */
interface CheckoutStats {
  count: number;
  waitMaxMs: number;
  waitTotalMs: number;
  holdMaxMs: number;
  holdTotalMs: number;
}

/** One checkout's progress, told by onConnection (pool.ts) to the pool's watcher. */
export interface Checkout {
  acquired(): void;
  released(): void;
}

export interface PoolWatcher {
  checkout(): Checkout;
}

const watchers = new WeakMap<pg.Pool, PoolWatcher>();

/** The watcher of `pool`, if its report is on: onConnection tells it each checkout. */
export const watcherOf = (pool: pg.Pool): PoolWatcher | undefined => watchers.get(pool);

const SAMPLE_MS = 50;

/**
 * A diagnostic (TOP_SONGS_POOL_REPORT_SECONDS): every `intervalSeconds`, one line with the pool's occupancy
 * (sampled every 50 ms: the most connections in use and the most callers waiting for one), each kind of
 * checkout's count, wait for a connection and hold (from connection to release, which includes any time the
 * event loop was busy elsewhere), and the event loop's delay over the interval. A checkout's kind is its caller,
 * the first frame of the stack outside this folder's plumbing (e.g. PostgresRateLimiter.countRequest): reading a
 * stack per checkout costs microseconds, fine for a diagnostic, which is why it is off unless asked for.
 */
export function watchPool(
  pool: pg.Pool,
  intervalSeconds: number,
  write: (line: string) => void,
  name = 'pool',
): () => void {
  let stats = new Map<string, CheckoutStats>();
  let inUseMax = 0;
  let waitingMax = 0;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  watchers.set(pool, {
    checkout() {
      const kind = callerOf(new Error().stack);
      const requested = performance.now();
      let acquired = requested;
      return {
        acquired: () => {
          acquired = performance.now();
        },
        released: () => {
          const now = performance.now();
          const entry = stats.get(kind) ?? {
            count: 0,
            waitMaxMs: 0,
            waitTotalMs: 0,
            holdMaxMs: 0,
            holdTotalMs: 0,
          };
          const wait = acquired - requested;
          const hold = now - acquired;
          entry.count += 1;
          entry.waitTotalMs += wait;
          entry.waitMaxMs = Math.max(entry.waitMaxMs, wait);
          entry.holdTotalMs += hold;
          entry.holdMaxMs = Math.max(entry.holdMaxMs, hold);
          stats.set(kind, entry);
        },
      };
    },
  });
  const sampler = setInterval(() => {
    inUseMax = Math.max(inUseMax, pool.totalCount - pool.idleCount);
    waitingMax = Math.max(waitingMax, pool.waitingCount);
  }, SAMPLE_MS);
  const ms = (value: number) => Math.round(value);
  const reporter = setInterval(() => {
    const report = {
      pool: name,
      in_use_max: inUseMax,
      waiting_max: waitingMax,
      loop_delay_ms: { p99: ms(delay.percentile(99) / 1e6), max: ms(delay.max / 1e6) },
      checkouts: Object.fromEntries(
        Array.from(stats, ([kind, s]) => [
          kind,
          {
            n: s.count,
            wait_avg: ms(s.waitTotalMs / s.count),
            wait_max: ms(s.waitMaxMs),
            hold_avg: ms(s.holdTotalMs / s.count),
            hold_max: ms(s.holdMaxMs),
          },
        ]),
      ),
    };
    stats = new Map();
    inUseMax = 0;
    waitingMax = 0;
    delay.reset();
    write(`${POOL_REPORT_PREFIX}${JSON.stringify(report)}\n`);
  }, intervalSeconds * 1000);
  sampler.unref();
  reporter.unref();
  return () => {
    clearInterval(sampler);
    clearInterval(reporter);
    delay.disable();
    watchers.delete(pool);
  };
}

/** The plumbing between a store's method and the pool: skipped when naming a checkout's caller. */
const PLUMBING = /\b(pool|pool-report|transaction)\.ts:/;

/** `at PostgresRateLimiter.countRequest (…/rate-limiter.ts:23:5)` → `PostgresRateLimiter.countRequest`. */
export function callerOf(stack: string | undefined): string {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    if (PLUMBING.test(line)) continue;
    const frame = /^\s*at (?:async )?(?:(\S+) \()?(.*?)\)?$/.exec(line);
    if (!frame) continue;
    return frame[1] ?? frame[2]!.replace(/^.*\//, '');
  }
  return 'unknown';
}
