/**
 * The smoke test's check of GET /v1/pipeline through the deployed API: the smoke hour's counts, as ingest, the
 * chart run and the database of the deployment kept them, equal what the smoke test sent, and reconcile.
 */
import type { HttpAnswer } from './emulator-http.ts';

interface SmokeCounts {
  /** Valid plays posted once each, into the hour. */
  readonly accepted: number;
  /** Of them, under 30 s. */
  readonly short: number;
  /** Invalid events posted in the same request (an unknown region: counted in global only). */
  readonly rejected: number;
}

/** Why the served counts are not the expected ones, or undefined when they are. */
export async function pipelineProblem(
  get: (path: string) => Promise<HttpAnswer>,
  hour: Date,
  sent: SmokeCounts,
): Promise<string | undefined> {
  const path = `/v1/pipeline?period=hour&start=${encodeURIComponent(hour.toISOString())}`;
  const answer = await get(path);
  if (answer.status !== 200) return `GET ${path} answered ${answer.status}: ${answer.body}`;
  const global = (JSON.parse(answer.body) as { regions: Record<string, unknown>[] }).regions.find(
    (entry) => entry.region === 'global',
  );
  const expected = {
    region: 'global',
    accepted: sent.accepted,
    rejected_at_ingest: { total: sent.rejected, by_reason: { invalid_region: sent.rejected } },
    in_lake: sent.accepted,
    rejected_in_lake: 0,
    dead_letters: 0,
    duplicates: 0,
    short_plays: sent.short,
    charted: sent.accepted - sent.short,
    reconciled: { ok: true, mismatches: [] },
  };
  if (JSON.stringify(global) !== JSON.stringify(expected)) {
    return `GET ${path}: global is ${JSON.stringify(global)}; expected ${JSON.stringify(expected)}`;
  }
  return undefined;
}
