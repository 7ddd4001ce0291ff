import type { ConnectionProbe, ProbeOutcome } from '../ports/connection-probe.ts';
import { withDeadline } from '../ports/deadline.ts';

export type CheckStatus = ProbeOutcome['status'];

/** One row of the report. */
export interface CheckResult {
  readonly service: string;
  readonly target: string;
  readonly status: CheckStatus;
  /** How long the check took; undefined for a skipped one (nothing was reached). */
  readonly latencyMs: number | undefined;
  readonly detail: string;
  /** What to do, for a failed check. */
  readonly hint?: string;
}

export interface ConnectionReport {
  readonly results: readonly CheckResult[];
  /** True when no check failed (skipped ones do not count). */
  readonly ok: boolean;
  /**
   * Settles once every probe has settled, including those cut off by the timeout, which stop what they started
   * (an embedded PostgreSQL) once they see their signal: a command waits for it before it exits.
   */
  readonly settled: Promise<void>;
}

/**
 * Runs every probe at once, each bounded by `timeoutMs` (or its own bound): a service that never answers is a
 * failure after that long, never a hang. Results keep the probes' order.
 */
export async function checkConnections(
  probes: readonly ConnectionProbe[],
  options: { readonly timeoutMs: number; readonly now?: () => number },
): Promise<ConnectionReport> {
  const now = options.now ?? (() => performance.now());
  const running = probes.map((probe) => runProbe(probe, probe.timeoutMs ?? options.timeoutMs, now));
  const results = await Promise.all(running.map((run) => run.result));
  return {
    results,
    ok: results.every((result) => result.status !== 'fail'),
    settled: Promise.allSettled(running.map((run) => run.settled)).then(() => {}),
  };
}

function runProbe(
  probe: ConnectionProbe,
  timeoutMs: number,
  now: () => number,
): { result: Promise<CheckResult>; settled: Promise<unknown> } {
  const abort = new AbortController();
  const started = now();
  const checking = Promise.resolve()
    .then(() => probe.check(abort.signal))
    .catch((error: unknown) => ({
      status: 'fail' as const,
      detail: errorText(error),
      hint: `unexpected failure while checking ${probe.service}; rerun with POWERTOOLS_LOG_LEVEL=DEBUG`,
    }));
  // A failing probe is an outcome (above), so a rejection here is the deadline's: the probe is stopped.
  const result = withDeadline(checking, timeoutMs, () => new Error('no answer'))
    .catch((): ProbeOutcome => {
      abort.abort();
      return {
        status: 'fail',
        detail: `no answer within ${timeoutMs} ms (--timeout gives it longer)`,
        hint: probe.silentHint,
      };
    })
    .then((outcome): CheckResult => {
      const latencyMs = outcome.status === 'skip' ? undefined : Math.round(now() - started);
      return {
        service: probe.service,
        target: probe.target,
        status: outcome.status,
        latencyMs,
        detail: outcome.detail,
        ...(outcome.status === 'fail' ? { hint: outcome.hint } : {}),
      };
    });
  return { result, settled: checking };
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return message.split('\n')[0]?.trim() ?? '';
}
