/**
 * Versions across replacements of a window, against a real (embedded) PostgreSQL: a final chart that changes is
 * restated once (version + 1, restated_at), the same chart computed again keeps its version, charts that were not
 * final yet never count as restated, and a replacement read from the lake earlier than the stored one is refused.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { PostgresChartStore } from '../../../src/adapters/postgres/chart-store.ts';
import { type Chart, type ChartStatus, windowStartingAt } from '../../../src/domain/charts.ts';
import { chartStoreForThisFile } from '../support/postgres.ts';

const window = windowStartingAt('hour', new Date('2026-11-20T10:00:00Z'));
const at = (time: string) => new Date(`2026-11-20T${time}Z`);

function chartOf(
  region: string,
  status: ChartStatus,
  generatedAt: Date,
  plays: Record<string, number>,
): Chart {
  const entries = Object.entries(plays)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([song_id, n], index) => ({ rank: index + 1, song_id, plays: n }));
  return {
    region,
    period: 'hour',
    window_start: window.start,
    window_end: window.end,
    status,
    generated_at: generatedAt,
    eligible_plays: entries.reduce((sum, entry) => sum + entry.plays, 0),
    entries,
  };
}

const database = chartStoreForThisFile('chart-restatements');
let store: PostgresChartStore;
beforeEach(async () => {
  store = database.store();
  await database.pool().query('TRUNCATE charts, chart_entries, genre_charts, genre_chart_entries');
});

const revision = async (region: string) => {
  const chart = await store.findChart(region, 'hour', window.start);
  return [chart?.status, chart?.version, chart?.restated_at?.toISOString() ?? null];
};

describe('PostgresChartStore: restatements', () => {
  it('keeps version 1 from provisional through closing to final, however the chart changed meanwhile', async () => {
    await store.replaceWindow(window, [chartOf('us', 'provisional', at('10:30:00'), { a: 1 })]);
    await store.replaceWindow(window, [chartOf('us', 'closing', at('11:01:00'), { a: 2 })]);
    const final = await store.replaceWindow(window, [chartOf('us', 'final', at('11:06:00'), { a: 3, b: 1 })]);
    expect(final).toEqual({ stored: true, restated: [] });
    expect(await revision('us')).toEqual(['final', 1, null]);
  });

  it('restates a final chart that changes, once; computing it again from the same plays changes nothing', async () => {
    await store.replaceWindow(window, [
      chartOf('us', 'final', at('11:06:00'), { a: 3 }),
      chartOf('gb', 'final', at('11:06:00'), { c: 1 }),
    ]);
    const late = [
      chartOf('us', 'final', at('14:00:00'), { a: 3, b: 4 }),
      chartOf('gb', 'final', at('14:00:00'), { c: 1 }),
    ];
    expect(await store.replaceWindow(window, late)).toEqual({ stored: true, restated: ['us'] });
    expect(await revision('us')).toEqual(['final', 2, '2026-11-20T14:00:00.000Z']);
    expect(await revision('gb')).toEqual(['final', 1, null]);

    // A run that stopped before clearing its marks: the next one computes the same charts, later.
    const again = late.map((chart) => ({ ...chart, generated_at: at('14:01:00') }));
    expect(await store.replaceWindow(window, again)).toEqual({ stored: true, restated: [] });
    expect(await revision('us')).toEqual(['final', 2, '2026-11-20T14:00:00.000Z']);

    // Another late play, of a song already there: a second restatement.
    await store.replaceWindow(window, [chartOf('us', 'final', at('16:00:00'), { a: 3, b: 5 })]);
    expect(await revision('us')).toEqual(['final', 3, '2026-11-20T16:00:00.000Z']);
  });

  it('counts a change of the eligible plays alone (a song below the top 10) as a restatement', async () => {
    const top = Object.fromEntries(Array.from({ length: 10 }, (_, n) => [`song-${n}`, 20 - n]));
    await store.replaceWindow(window, [chartOf('us', 'final', at('11:06:00'), top)]);
    const withQuietSong = { ...chartOf('us', 'final', at('13:00:00'), top), eligible_plays: 156 };
    expect(await store.replaceWindow(window, [withQuietSong])).toEqual({ stored: true, restated: ['us'] });
    expect(await revision('us')).toEqual(['final', 2, '2026-11-20T13:00:00.000Z']);
  });

  it('keeps charts read from the lake as of a later instant than the replacement (an overlapping run)', async () => {
    await store.replaceWindow(window, [chartOf('us', 'final', at('11:06:00'), { a: 3 })]);
    await store.replaceWindow(window, [chartOf('us', 'final', at('14:00:10'), { a: 3, b: 4 })]);
    const older = await store.replaceWindow(window, [chartOf('us', 'final', at('14:00:00'), { a: 3 })]);
    expect(older).toEqual({ stored: false, restated: [] });
    const chart = await store.findChart('us', 'hour', window.start);
    expect(chart?.entries.map((entry) => [entry.song_id, entry.plays])).toEqual([
      ['b', 4],
      ['a', 3],
    ]);
    expect(chart?.version).toBe(2);
  });

  it('lists windows left unfinished (not final after their grace), oldest first, within the limit', async () => {
    const hour = (start: string, status: ChartStatus, generated: string) => {
      const w = windowStartingAt('hour', new Date(start));
      return store.replaceWindow(w, [
        { ...chartOf('us', status, new Date(generated), { a: 1 }), window_start: w.start, window_end: w.end },
      ]);
    };
    await hour('2026-11-20T07:00:00Z', 'closing', '2026-11-20T08:02:00Z');
    await hour('2026-11-20T08:00:00Z', 'final', '2026-11-20T09:06:00Z');
    await hour('2026-11-20T09:00:00Z', 'provisional', '2026-11-20T09:59:00Z');
    await hour('2026-11-20T10:00:00Z', 'closing', '2026-11-20T11:01:00Z');
    const starts = async (endedBy: string, limit: number) =>
      (await store.unfinishedWindows('hour', new Date(endedBy), limit)).map((w) => w.start.toISOString());
    expect(await starts('2026-11-20T11:00:00Z', 10)).toEqual([
      '2026-11-20T07:00:00.000Z',
      '2026-11-20T09:00:00.000Z',
      '2026-11-20T10:00:00.000Z',
    ]);
    expect(await starts('2026-11-20T10:59:59Z', 10)).toEqual([
      '2026-11-20T07:00:00.000Z',
      '2026-11-20T09:00:00.000Z',
    ]);
    expect(await starts('2026-11-20T11:00:00Z', 1)).toEqual(['2026-11-20T07:00:00.000Z']);
    expect(await store.unfinishedWindows('day', new Date('2026-11-21T00:00:00Z'), 10)).toEqual([]);
  });
});
