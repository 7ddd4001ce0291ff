/**
 * The methods `methods` of a port whose adapter `open` opens on its first call rather than before: a database
 * or brokers out of reach at a cold start then fail that call (the function answers 503) instead of the whole
 * invocation (a 500), and requests that need no such port (GET /v1/regions) never wait for it; an adapter
 * whose module is large is then imported only by a process that uses it. `open` shares what it opened: every
 * call answers the same adapter (the Dependencies' openers do).
 */
export function openedOnUse<T extends Record<K, (...args: never[]) => Promise<unknown>>, K extends keyof T>(
  open: () => Promise<T>,
  methods: readonly K[],
): Pick<T, K> {
  const port: Partial<Pick<T, K>> = {};
  for (const name of methods) {
    const call = async (...args: Parameters<T[K]>) => {
      const opened = await open();
      return opened[name](...args);
    };
    port[name] = call as unknown as T[K];
  }
  return port as Pick<T, K>;
}

/**
 * Starts something on first use and shares it with every later caller. A failed start (database down, a
 * secret not filled in yet, brokers unreachable) is not kept: the next caller tries again, so a warm
 * function recovers without a cold start.
 */
export function sharedUntilFailure<T>(start: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => {
    if (started) return started;
    const attempt = start();
    started = attempt;
    attempt.catch(() => {
      if (started === attempt) started = undefined;
    });
    return attempt;
  };
}
