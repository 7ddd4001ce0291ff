/**
 * The PostgreSQL chart store against a real (embedded) PostgreSQL: replacing a window is all or nothing,
 * and runs of the same window at the same time take turns instead of failing on the table's keys.
 */
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PostgresChartStore } from '../../../src/adapters/postgres/chart-store.ts';
import { type Chart, windowStartingAt } from '../../../src/domain/charts.ts';
import { chartStoreForThisFile } from '../support/postgres.ts';

const window = windowStartingAt('hour', new Date('2026-11-20T10:00:00Z'));

/** A chart of `region` for the window whose songs all have `plays` plays, so each run is recognisable. */
function chartOf(region: string, plays: number): Chart {
  return {
    region,
    period: window.period,
    window_start: window.start,
    window_end: window.end,
    status: 'final',
    generated_at: new Date('2026-11-20T11:05:00Z'),
    eligible_plays: plays * 3,
    entries: [1, 2, 3].map((rank) => ({ rank, song_id: `song-${region}-${rank}`, plays })),
  };
}

const database = chartStoreForThisFile('chart-store');
let pool: pg.Pool;
let store: PostgresChartStore;
beforeAll(() => {
  pool = database.pool();
  store = database.store();
});

describe('PostgresChartStore.replaceWindow', () => {
  it('lets concurrent runs of one window take turns, leaving exactly one run’s charts', async () => {
    const runs = [1, 2, 3, 4, 5, 6].map((plays) => [chartOf('us', plays), chartOf('global', plays)]);
    const outcomes = await Promise.allSettled(runs.map((charts) => store.replaceWindow(window, charts)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(runs.map(() => 'fulfilled'));

    const us = await store.findChart('us', 'hour', window.start);
    const global = await store.findChart('global', 'hour', window.start);
    const winner = us?.entries[0]?.plays;
    // Whichever run committed last, both regions come from that same run, entries and totals alike.
    expect(us?.entries.map((entry) => entry.plays)).toEqual([winner, winner, winner]);
    expect(global?.entries.map((entry) => entry.plays)).toEqual([winner, winner, winner]);
    expect(global?.eligible_plays).toBe((winner ?? Number.NaN) * 3);
    const { rows } = await pool.query(
      'SELECT count(*)::int AS charts FROM charts WHERE period = $1 AND window_start = $2',
      [window.period, window.start],
    );
    expect(rows[0].charts).toBe(2);
  });

  it('leaves the previous charts in place when a replacement fails half way', async () => {
    await store.replaceWindow(window, [chartOf('us', 7)]);
    const duplicateRegion = [chartOf('gb', 8), chartOf('gb', 9)];
    await expect(store.replaceWindow(window, duplicateRegion)).rejects.toThrow(/duplicate key/);
    expect((await store.findChart('us', 'hour', window.start))?.entries[0]?.plays).toBe(7);
    expect(await store.findChart('gb', 'hour', window.start)).toBeUndefined();
  });
});
