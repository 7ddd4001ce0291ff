import type { RateLimiter, WindowCount } from '../../../src/ports/rate-limiter.ts';

/**
 * An in-memory RateLimiter with the PostgreSQL adapter's rules, for use-case tests: one counter per key in
 * use (`activeKeys`), reset by a later window, never by an earlier one; `failWith` makes it unreachable.
 */
export function countingLimiter(activeKeys: readonly string[], failWith?: Error) {
  const counters = new Map<string, WindowCount>();
  const limiter: RateLimiter & { readonly counters: Map<string, WindowCount> } = {
    counters,
    countRequest: async (keyId, windowStart) => {
      if (failWith) throw failWith;
      if (!activeKeys.includes(keyId)) return undefined;
      const current = counters.get(keyId);
      const next =
        !current || windowStart > current.windowStart
          ? { requests: 1, windowStart }
          : { requests: current.requests + 1, windowStart: current.windowStart };
      counters.set(keyId, next);
      return next;
    },
  };
  return limiter;
}
