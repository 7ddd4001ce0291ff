/**
 * The chart semantics (previous rank, movement, peak, periods on chart) as the chart store derives them in real
 * (embedded) PostgreSQL, checked against the independent reference over consecutive windows: gaps, re-entries,
 * restatements of a middle window, writes in any order and at the same time, and entries older than the columns.
 */
import type pg from 'pg';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/adapters/catalog/seeded-random.ts';
import type { PostgresChartStore } from '../../../src/adapters/postgres/chart-store.ts';
import { migrate } from '../../../src/adapters/postgres/migrate.ts';
import { resilientPool } from '../../../src/adapters/postgres/pool.ts';
import { type Chart, type Period, windowStartingAt } from '../../../src/domain/charts.ts';
import {
  type ReferenceHistoryChart,
  referenceChartSemantics,
} from '../../support/reference-chart-semantics.ts';
import { chartStoreForThisFile } from '../support/postgres.ts';

const database = chartStoreForThisFile('chart-semantics');
let pool: pg.Pool;
let store: PostgresChartStore;
beforeAll(() => {
  pool = database.pool();
  store = database.store();
});
beforeEach(async () => {
  await pool.query('TRUNCATE charts, chart_entries, genre_charts, genre_chart_entries');
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const hourAt = (n: number) => new Date(Date.UTC(2026, 10, 20, 0) + n * HOUR);
const dayAt = (n: number) => new Date(Date.UTC(2026, 10, 1) + n * DAY);

/**
 * What the database holds: every stored window, its charts with their songs in rank order. The model the
 * reference runs over, kept beside the database by `write`.
 */
const model = new Map<string, ReferenceHistoryChart[]>();
beforeEach(() => model.clear());

/** Writes one window's charts (region → songs in rank order) through the store, and into the model. */
async function write(period: Period, start: Date, charts: Record<string, readonly string[]>): Promise<void> {
  const window = windowStartingAt(period, start);
  const rows: Chart[] = Object.entries(charts).map(([region, songs]) => ({
    region,
    period,
    window_start: window.start,
    window_end: window.end,
    status: 'final',
    generated_at: window.end,
    eligible_plays: songs.length * 10,
    // Plays fall with rank, and the last two tie (ranks among equal plays are the chart query's business).
    entries: songs.map((song_id, index) => ({ rank: index + 1, song_id, plays: Math.max(100 - index, 92) })),
  }));
  await store.replaceWindow(window, rows);
  model.set(
    `${period}|${window.start.toISOString()}`,
    Object.entries(charts).map(([region, songs]) => ({ region, period, window_start: window.start, songs })),
  );
}

async function storedSemantics() {
  const { rows } = await pool.query(
    `SELECT region, period, window_start, rank, song_id, previous_rank, movement, peak_rank, periods_on_chart
     FROM chart_entries ORDER BY period COLLATE "C", region COLLATE "C", window_start, rank`,
  );
  return rows.map((row) => ({ ...row, window_start: (row.window_start as Date).toISOString() }));
}

const expectedSemantics = () => referenceChartSemantics([...model.values()].flat());

/** The semantics of one region's window, as compact strings: `song rank (previous) movement peak periods`. */
async function windowLines(period: Period, start: Date, region = 'us') {
  const chart = await store.findChart(region, period, start);
  return chart?.entries.map(
    (entry) =>
      `${entry.song_id} ${entry.rank} (${entry.previous_rank ?? '-'}) ${entry.movement} ${entry.peak_rank} ${entry.periods_on_chart}`,
  );
}

describe('chart semantics in PostgreSQL', () => {
  it('derives previous rank, movement, peak and periods over consecutive windows, gaps and re-entries', async () => {
    await write('hour', hourAt(0), { us: ['a', 'b', 'c'] });
    await write('hour', hourAt(1), { us: ['b', 'a', 'd'] });
    await write('hour', hourAt(2), { us: ['b', 'd', 'a'] });
    // Hour 3 has no chart at all: a gap. Hour 4 follows it.
    await write('hour', hourAt(4), { us: ['c', 'b', 'e'] });
    await write('hour', hourAt(5), { us: ['c', 'b', 'a'] });

    expect(await windowLines('hour', hourAt(1))).toEqual([
      'b 1 (2) up 1 2',
      'a 2 (1) down 1 2',
      'd 3 (-) new 3 1',
    ]);
    expect(await windowLines('hour', hourAt(2))).toEqual([
      'b 1 (1) same 1 3',
      'd 2 (3) up 2 2',
      'a 3 (2) down 1 3',
    ]);
    // After the gap nothing has a previous rank: songs seen before re-enter, a song never seen is new.
    expect(await windowLines('hour', hourAt(4))).toEqual([
      'c 1 (-) re-entry 1 2',
      'b 2 (-) re-entry 1 4',
      'e 3 (-) new 3 1',
    ]);
    expect(await windowLines('hour', hourAt(5))).toEqual([
      'c 1 (1) same 1 3',
      'b 2 (2) same 1 5',
      'a 3 (-) re-entry 1 4',
    ]);
    expect(await storedSemantics()).toEqual(expectedSemantics());
  });

  it('keeps regions and periods apart: history is per region and period', async () => {
    await write('hour', hourAt(0), { us: ['a'], gb: ['b'] });
    await write('hour', hourAt(1), { us: ['b'], gb: ['b'] });
    await write('day', dayAt(0), { us: ['b'] });

    expect(await windowLines('hour', hourAt(1), 'us')).toEqual(['b 1 (-) new 1 1']);
    expect(await windowLines('hour', hourAt(1), 'gb')).toEqual(['b 1 (1) same 1 2']);
    expect(await windowLines('day', dayAt(0), 'us')).toEqual(['b 1 (-) new 1 1']);
    expect(await storedSemantics()).toEqual(expectedSemantics());
  });

  it('re-derives every later window when a middle window is restated or backfilled', async () => {
    await write('hour', hourAt(0), { us: ['a', 'b'] });
    await write('hour', hourAt(1), { us: ['c', 'a'] });
    await write('hour', hourAt(2), { us: ['a', 'c'] });
    await write('hour', hourAt(3), { us: ['c', 'a'] });
    expect(await windowLines('hour', hourAt(2))).toEqual(['a 1 (2) up 1 3', 'c 2 (1) down 1 2']);

    // Hour 1 restated: c and a leave it, b and d come in.
    await write('hour', hourAt(1), { us: ['b', 'd'] });
    expect(await windowLines('hour', hourAt(2))).toEqual(['a 1 (-) re-entry 1 2', 'c 2 (-) new 2 1']);
    expect(await windowLines('hour', hourAt(3))).toEqual(['c 1 (2) up 1 2', 'a 2 (1) down 1 3']);

    // A window that comes first, backfilled after the later ones: c is no longer new at hour 2.
    await write('hour', hourAt(-1), { us: ['c'] });
    expect(await windowLines('hour', hourAt(2))).toEqual(['a 1 (-) re-entry 1 2', 'c 2 (-) re-entry 1 2']);
    expect(await windowLines('hour', hourAt(3))).toEqual(['c 1 (2) up 1 3', 'a 2 (1) down 1 3']);
    expect(await storedSemantics()).toEqual(expectedSemantics());
  });

  it('an idempotent re-run rewrites no later entry', async () => {
    await write('hour', hourAt(0), { us: ['a', 'b'] });
    await write('hour', hourAt(1), { us: ['b', 'a'] });
    await write('hour', hourAt(2), { us: ['b', 'c'] });
    const versions = async () =>
      (
        await pool.query(
          `SELECT xmin::text FROM chart_entries WHERE window_start > $1 ORDER BY window_start, rank`,
          [hourAt(0)],
        )
      ).rows;
    const before = await versions();
    await write('hour', hourAt(0), { us: ['a', 'b'] });
    expect(await versions()).toEqual(before);
    expect(await storedSemantics()).toEqual(expectedSemantics());
  });

  it('matches the reference after every write of windows in random order, restated at random', async () => {
    const random = createRandom(20261120).next;
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const songs = Array.from({ length: 14 }, (_, index) => `song-${String(index).padStart(2, '0')}`);
    const randomChart = () => [...songs].sort(() => random() - 0.5).slice(0, Math.floor(random() * 11));
    for (let write_ = 0; write_ < 60; write_++) {
      const period = pick<Period>(['hour', 'hour', 'day']);
      const start = period === 'hour' ? hourAt(Math.floor(random() * 12)) : dayAt(Math.floor(random() * 6));
      // Some writes leave a region out (a chart that disappears from a restated window).
      const regions = ['us', 'gb', 'global'].filter(() => random() < 0.8);
      await write(period, start, Object.fromEntries(regions.map((region) => [region, randomChart()])));
      expect(await storedSemantics(), `after write ${write_}`).toEqual(expectedSemantics());
    }
    // The data had what the semantics are about.
    const movements = new Set(expectedSemantics().map((entry) => entry.movement));
    expect([...movements].sort()).toEqual(['down', 'new', 're-entry', 'same', 'up']);
  });

  it('runs of different windows of one period at the same time leave every window right', async () => {
    const random = createRandom(7).next;
    const songs = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (let round = 0; round < 5; round++) {
      const writes = Array.from({ length: 8 }, (_, hour) => ({
        hour,
        songs: [...songs].sort(() => random() - 0.5).slice(0, 2 + Math.floor(random() * 4)),
      }));
      await Promise.all(writes.map(({ hour, songs: chart }) => write('hour', hourAt(hour), { us: chart })));
      expect(await storedSemantics(), `round ${round}`).toEqual(expectedSemantics());
    }
  });
});

describe('migration 003', () => {
  it('derives the semantics of entries charted before it', async () => {
    await pool.query('DROP DATABASE IF EXISTS before_history');
    await pool.query('CREATE DATABASE before_history');
    const url = new URL(database.url());
    url.pathname = '/before_history';
    const legacy = resilientPool({ connectionString: url.toString(), max: 1 }, () => {});
    try {
      const client = await legacy.connect();
      try {
        await migrate(client, '001');
        const charts: ReferenceHistoryChart[] = [
          { region: 'us', period: 'hour', window_start: hourAt(0), songs: ['a', 'b'] },
          { region: 'us', period: 'hour', window_start: hourAt(1), songs: ['b', 'c'] },
          { region: 'us', period: 'hour', window_start: hourAt(3), songs: ['a', 'c'] },
          { region: 'gb', period: 'hour', window_start: hourAt(1), songs: ['a'] },
          { region: 'us', period: 'day', window_start: dayAt(0), songs: ['c', 'a'] },
        ];
        for (const chart of charts) {
          const end = new Date(chart.window_start.getTime() + (chart.period === 'hour' ? HOUR : DAY));
          await client.query(
            `INSERT INTO charts (region, period, window_start, window_end, status, generated_at, eligible_plays)
             VALUES ($1, $2, $3, $4, 'final', $4, 10)`,
            [chart.region, chart.period, chart.window_start, end],
          );
          for (const [index, song] of chart.songs.entries()) {
            await client.query(
              `INSERT INTO chart_entries (region, period, window_start, rank, song_id, plays)
               VALUES ($1, $2, $3, $4, $5, 5)`,
              [chart.region, chart.period, chart.window_start, index + 1, song],
            );
          }
        }
        await migrate(client);
        const { rows } = await client.query(
          `SELECT region, period, window_start, rank, song_id, previous_rank, movement, peak_rank, periods_on_chart
           FROM chart_entries ORDER BY period COLLATE "C", region COLLATE "C", window_start, rank`,
        );
        expect(
          rows.map((row) => ({ ...row, window_start: (row.window_start as Date).toISOString() })),
        ).toEqual(referenceChartSemantics(charts));
      } finally {
        client.release();
      }
    } finally {
      await legacy.end();
    }
  });
});
