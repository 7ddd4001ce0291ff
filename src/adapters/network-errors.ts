/**
 * Node's socket error codes that mean "not reachable now" (refused, reset, timed out, no route, a name that
 * does not resolve for the moment), as opposed to "misconfigured". One list for the pool, which turns them into
 * StoreUnavailableError, and for the doctor's probes, which turn them into a hint.
 */
export const UNREACHABLE_ERRNOS: readonly string[] = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
];
