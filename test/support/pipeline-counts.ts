/**
 * The count scenarios each transport's tests share (GET /v1/pipeline): what the counts of a window must be,
 * computed from what the test sent (not from the production code), and how to read them.
 */
import { expect } from 'vitest';
import type { ReferencePlay } from '../../devkit/reference-charts.ts';
import { waitFor } from '../../devkit/wait-for.ts';

export interface ServedHops {
  readonly region: string;
  readonly accepted: number;
  readonly rejected_at_ingest: { total: number; by_reason: Record<string, number> };
  readonly in_lake: number;
  readonly rejected_in_lake: number;
  readonly dead_letters: number;
  readonly duplicates: number;
  readonly short_plays: number;
  readonly charted: number;
  readonly reconciled: { ok: boolean; mismatches: { equation: string; left: number; right: number }[] };
}

export interface ServedPipeline {
  readonly period: string;
  readonly window_start: string;
  readonly lag_seconds: {
    lake: number | null;
    live_chart: number | null;
    partitions: { consumer: string; topic: string; partition: number; records: number }[] | null;
  };
  readonly regions: ServedHops[];
}

export async function getPipeline(url: string, period: 'hour' | 'day', start: Date): Promise<ServedPipeline> {
  const response = await fetch(`${url}/v1/pipeline?period=${period}&start=${start.toISOString()}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as ServedPipeline;
}

/** The entry of one region (or global). */
export const hopsOf = (pipeline: ServedPipeline, region: string): ServedHops => {
  const found = pipeline.regions.find((entry) => entry.region === region);
  if (!found) throw new Error(`no entry for ${region} in ${JSON.stringify(pipeline)}`);
  return found;
};

/** Why ingest must reject an invalid event the traffic generator made: each breaks exactly one field. */
function reasonOf(event: Record<string, unknown>, regions: readonly string[]): string {
  if (!regions.includes(String(event.region))) return 'invalid_region';
  if (!('song_id' in event)) return 'invalid_song_id';
  if (typeof event.ms_played !== 'number' || event.ms_played < 0) return 'invalid_ms_played';
  if (!/^[0-9a-f-]{36}$/i.test(String(event.event_id))) return 'invalid_event_id';
  return 'invalid_played_at';
}

export type ExpectedHops = Omit<ServedHops, 'reconciled' | 'rejected_in_lake'>;

/**
 * The counts of a window by the contract's definitions, from what was sent: deliveries accepted (an event sent
 * twice counts twice), rejected events in the window by reason (those whose played_at is in it), duplicates as
 * deliveries beyond the first of an event_id, short plays and charted plays over distinct events. `deadLetters`:
 * deliveries that went to the dead-letter topic instead of the lake.
 */
export function expectedHops(options: {
  readonly deliveries: readonly ReferencePlay[];
  readonly rejected?: readonly unknown[];
  readonly deadLetters?: readonly ReferencePlay[];
  readonly start: Date;
  readonly end: Date;
  readonly regions: readonly string[];
}): Map<string, ExpectedHops> {
  const inWindow = (playedAt: unknown) => {
    const at = Date.parse(String(playedAt));
    return at >= options.start.getTime() && at < options.end.getTime();
  };
  const result = new Map<string, ExpectedHops>();
  for (const region of [...options.regions, 'global']) {
    const mine = (play: { region?: unknown }) => region === 'global' || play.region === region;
    const dead = (options.deadLetters ?? []).filter((play) => inWindow(play.played_at) && mine(play));
    const lake = options.deliveries.filter((play) => inWindow(play.played_at) && mine(play));
    const seen = new Set<string>();
    let duplicates = 0;
    let short = 0;
    let charted = 0;
    for (const play of lake) {
      if (seen.has(play.event_id)) duplicates += 1;
      else if (play.ms_played < 30_000) short += 1;
      else charted += 1;
      seen.add(play.event_id);
    }
    const byReason: Record<string, number> = {};
    for (const event of (options.rejected ?? []) as Record<string, unknown>[]) {
      if (!inWindow(event.played_at) || !mine(event)) continue;
      const reason = reasonOf(event, options.regions);
      byReason[reason] = (byReason[reason] ?? 0) + 1;
    }
    result.set(region, {
      region,
      accepted: lake.length + dead.length,
      rejected_at_ingest: {
        total: Object.values(byReason).reduce((sum, count) => sum + count, 0),
        by_reason: byReason,
      },
      in_lake: lake.length,
      dead_letters: dead.length,
      duplicates,
      short_plays: short,
      charted,
    });
  }
  return result;
}

/** Every region's served counts equal the expected ones, and reconcile. */
export function expectServedHops(served: ServedPipeline, expected: ReadonlyMap<string, ExpectedHops>): void {
  for (const [region, hops] of expected) {
    const entry = hopsOf(served, region);
    const { reconciled, rejected_in_lake: _rejectedInLake, ...counts } = entry;
    expect(counts, `${served.period} ${served.window_start} ${region}`).toEqual(hops);
    expect(reconciled, `${region} reconciles`).toEqual({ ok: true, mismatches: [] });
  }
}

/** Waits until the window's counts, as served, satisfy `check` (the dead-letter counter runs on its own). */
export function waitForPipeline(
  url: string,
  period: 'hour' | 'day',
  start: Date,
  what: string,
  check: (pipeline: ServedPipeline) => boolean,
  timeoutMs = 60_000,
): Promise<ServedPipeline> {
  return waitFor(
    what,
    async () => {
      const pipeline = await getPipeline(url, period, start);
      return check(pipeline) ? pipeline : undefined;
    },
    timeoutMs,
    250,
  );
}
