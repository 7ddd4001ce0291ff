/** Requests counted in one fixed window, as the rate limiter saw them. */
export interface WindowCount {
  /** Requests of the key in the window, this one included. */
  readonly requests: number;
  /** The window they were counted in: the one asked for, or a later one another instance had already begun. */
  readonly windowStart: Date;
}

/**
 * Counts requests per API key and fixed window, exactly across every process that shares it (concurrent
 * Lambda instances): each call counts once, and concurrent calls see distinct counts.
 */
export interface RateLimiter {
  /**
   * Counts one request of the key in the window starting at `windowStart`, at `at`. Undefined when the key
   * is not in use (revoked since the authorizer's answer was cached, or unknown): nothing is counted then.
   */
  countRequest(keyId: string, windowStart: Date, at: Date): Promise<WindowCount | undefined>;
}
