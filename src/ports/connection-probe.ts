/**
 * One service the settings point at (PostgreSQL, the transport, the lake, an AWS endpoint, an OpenAI-compatible
 * server), checked by `npm run doctor`. Each probe knows how to reach its service and how to word what to do
 * when it cannot: the use case only runs them side by side, each within a timeout.
 */
export interface ConnectionProbe {
  /** What is checked, in a word or two: `postgres`, `kafka`, `lake`, `aws`, `openai`. */
  readonly service: string;
  /** Where: host:port, a bucket, a folder. Never a secret. */
  readonly target: string;
  /**
   * Its own bound, for a probe that must do a one-off slow thing (initialise the embedded PostgreSQL's files);
   * unset: the check's timeout.
   */
  readonly timeoutMs?: number;
  /** What to do when the service does not answer at all within the timeout (is it running? which setting?). */
  readonly silentHint: string;
  /**
   * Checks the service. Resolves with the outcome, never rejects for a service that answers badly (a rejection
   * is a fail without a hint). `signal` aborts when the check ran out of time: the probe then stops what it
   * started (a server, a connection) before it settles.
   */
  check(signal: AbortSignal): Promise<ProbeOutcome>;
}

export type ProbeOutcome =
  /** Reachable and usable; `detail` says what was found (versions, partitions, lag). */
  | { readonly status: 'ok'; readonly detail: string }
  /** Not configured, so not checked; `detail` says which setting would turn it on. */
  | { readonly status: 'skip'; readonly detail: string }
  /** `detail` is what went wrong; `hint` what to do about it (a command, the setting to check). */
  | { readonly status: 'fail'; readonly detail: string; readonly hint: string };

export const ok = (detail: string): ProbeOutcome => ({ status: 'ok', detail });
export const skip = (detail: string): ProbeOutcome => ({ status: 'skip', detail });
export const fail = (detail: string, hint: string): ProbeOutcome => ({ status: 'fail', detail, hint });

/** A probe for a service that is not configured: it reports the skip without reaching anything. */
export const notConfigured = (service: string, detail: string): ConnectionProbe => ({
  service,
  target: '-',
  silentHint: '',
  check: async () => skip(detail),
});
