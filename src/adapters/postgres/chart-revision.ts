/** A chart's version across replacements of its window (docs/contracts.md, "Restatements"). */
import type { Chart } from '../../domain/charts.ts';

/** A region's chart as the window held it before the replacement. */
export interface PreviousChart {
  readonly region: string;
  readonly status: Chart['status'];
  readonly generated_at: Date;
  readonly eligible_plays: string;
  readonly version: number;
  readonly restated_at: Date | null;
}

export interface PreviousEntry {
  readonly region: string;
  readonly rank: number;
  readonly song_id: string;
  readonly plays: string;
}

/**
 * The version and restatement time the new chart of a region gets. Only a chart that was final and now differs
 * (its plays, or any entry's song or plays) is restated; computing the same chart again, as a run that stopped
 * before clearing its restatement marks does on the next run, leaves its version as it was.
 */
export function revisionOf(
  chart: Chart,
  previousCharts: readonly PreviousChart[],
  previousEntries: readonly PreviousEntry[],
): { version: number; restated_at: Date | null; restated: boolean } {
  const previous = previousCharts.find((row) => row.region === chart.region);
  if (!previous) return { version: 1, restated_at: null, restated: false };
  const kept = { version: previous.version, restated_at: previous.restated_at, restated: false };
  if (previous.status !== 'final') return kept;
  const before = previousEntries
    .filter((entry) => entry.region === chart.region)
    .sort((a, b) => a.rank - b.rank)
    .map((entry) => `${entry.song_id}:${entry.plays}`);
  const after = chart.entries.map((entry) => `${entry.song_id}:${entry.plays}`);
  const same =
    Number(previous.eligible_plays) === chart.eligible_plays && before.join('\n') === after.join('\n');
  return same ? kept : { version: previous.version + 1, restated_at: chart.generated_at, restated: true };
}
