/**
 * chart-history: what storing the chart semantics costs and saves (docs/decisions.md, "Chart semantics stored
 * with the entries"), over a long hourly history in embedded PostgreSQL. Reads: a chart's entries with their
 * stored semantics, and derived at read time, against the entries alone. Writes: a restatement of a middle and
 * of the oldest window (which re-derive every later window), against the scheduled re-run of the latest one.
 */
import { join } from 'node:path';
import { createRandom } from '../src/adapters/catalog/seeded-random.ts';
import { PostgresChartStore } from '../src/adapters/postgres/chart-store.ts';
import { startEmbeddedPostgres } from '../src/adapters/postgres/embedded.ts';
import { migrate } from '../src/adapters/postgres/migrate.ts';
import { resilientPool } from '../src/adapters/postgres/pool.ts';
import { type Chart, windowStartingAt } from '../src/domain/charts.ts';
import {
  type BenchOptions,
  formatNumber,
  formatRatio,
  formatSeconds,
  interleave,
  planFor,
  printTable,
  timed,
  withTempDir,
} from './harness.ts';
import { HOUR_MS } from './plays.ts';

const REGIONS = ['global', 'us', 'gb', 'de', 'fr', 'br', 'mx', 'jp', 'in'];
const POOL = 150;
const STAY = 0.85;
const FIRST = Date.parse('2026-08-01T00:00:00Z');
/** In `us`, one song is #1 in every window: the longest history a read-time derivation can meet. */
const EVERGREEN = 'song-evergreen';

const song = (index: number) => `song-${String(index).padStart(4, '0')}`;

/** Every hour's charts: each region's top 10 keeps most of its songs from one hour to the next. */
function generateHistory(hours: number): Chart[][] {
  const random = createRandom(4_000);
  const current = new Map(REGIONS.map((region) => [region, [] as string[]]));
  const windows: Chart[][] = [];
  for (let hour = 0; hour < hours; hour++) {
    const window = windowStartingAt('hour', new Date(FIRST + hour * HOUR_MS));
    windows.push(
      REGIONS.map((region) => {
        const kept = current.get(region)!.filter((id) => id !== EVERGREEN && random.next() < STAY);
        while (kept.length < 10) {
          const candidate = song(random.int(0, POOL - 1));
          if (!kept.includes(candidate)) kept.push(candidate);
        }
        const songs = kept.sort(() => random.next() - 0.5).slice(0, 10);
        if (region === 'us') songs.splice(0, 1, EVERGREEN);
        current.set(region, songs);
        return {
          region,
          period: 'hour',
          window_start: window.start,
          window_end: window.end,
          status: 'final',
          generated_at: window.end,
          eligible_plays: 1_000,
          entries: songs.map((song_id, index) => ({ rank: index + 1, song_id, plays: 100 - index })),
        };
      }),
    );
  }
  return windows;
}

/** The same charts with ranks 8 to 10 replaced: a restatement that changes songs, not only ranks. */
const restated = (charts: readonly Chart[]): Chart[] =>
  charts.map((chart) => ({
    ...chart,
    entries: chart.entries.map((entry) =>
      entry.rank >= 8 ? { ...entry, song_id: `song-restated-${entry.rank}` } : entry,
    ),
  }));

const ENTRIES_SQL = `SELECT e.rank, e.song_id, s.title, s.artist, s.genre, e.plays%s
  FROM chart_entries e LEFT JOIN songs s USING (song_id)%s
  WHERE e.region = $1 AND e.period = 'hour' AND e.window_start = $2 ORDER BY e.rank`;
const readQueries = {
  entries: ENTRIES_SQL.replace('%s', '').replace('%s', ''),
  stored: ENTRIES_SQL.replace('%s', ', e.previous_rank, e.movement, e.peak_rank, e.periods_on_chart').replace(
    '%s',
    '',
  ),
  // The alternative: each entry's semantics from its song's history, per request (index-only scans).
  derived: ENTRIES_SQL.replace(
    '%s',
    ', previous.rank AS previous_rank, history.peak_rank, history.periods',
  ).replace(
    '%s',
    `
  LEFT JOIN chart_entries previous ON previous.song_id = e.song_id AND previous.period = e.period
    AND previous.region = e.region AND previous.window_start = e.window_start - interval '1 hour'
  CROSS JOIN LATERAL (
    SELECT min(h.rank) AS peak_rank, count(*) AS periods FROM chart_entries h
    WHERE h.song_id = e.song_id AND h.period = e.period AND h.region = e.region AND h.window_start <= e.window_start
  ) AS history`,
  ),
};

export async function run(options: BenchOptions): Promise<void> {
  const plan = planFor(options);
  const hours = options.quick ? 30 * 24 : 90 * 24;
  const reads = options.quick ? 100 : 300;
  await withTempDir('chart-history', async (dir) => {
    const database = await startEmbeddedPostgres(join(dir, 'postgres'));
    const pool = resilientPool({ connectionString: database.url, max: 2 }, () => {});
    try {
      const client = await pool.connect();
      await migrate(client).finally(() => client.release());
      const store = new PostgresChartStore(pool, 60_000);
      const history = generateHistory(hours);
      const filling = await timed(async () => {
        for (const charts of history) await store.replaceWindow(windowOf(charts), charts);
      });
      const entries = history.flat().reduce((sum, chart) => sum + chart.entries.length, 0);
      await pool.query('VACUUM ANALYZE chart_entries');

      const latest = history.at(-1)!;
      const read = (sql: string, region: string) => async () =>
        timed(async () => {
          for (let index = 0; index < reads; index++)
            await pool.query(sql, [region, latest[0]!.window_start]);
        });
      const readStats = await interleave(
        {
          entriesUs: read(readQueries.entries, 'us'),
          storedUs: read(readQueries.stored, 'us'),
          derivedUs: read(readQueries.derived, 'us'),
          entriesGb: read(readQueries.entries, 'gb'),
          storedGb: read(readQueries.stored, 'gb'),
          derivedGb: read(readQueries.derived, 'gb'),
        },
        plan,
      );

      // Each run restates its window one way, the next run back: every run changes songs.
      const rewrite = (charts: Chart[]) => {
        let round = 0;
        return async () => {
          const version = round++ % 2 === 0 ? restated(charts) : charts;
          return timed(() => store.replaceWindow(windowOf(charts), version));
        };
      };
      const writeStats = await interleave(
        {
          latest: async () => timed(() => store.replaceWindow(windowOf(latest), latest)),
          middle: rewrite(history[Math.floor(hours / 2)]!),
          oldest: rewrite(history[0]!),
        },
        plan,
      );

      const perRead = (stats: (typeof readStats)['entriesUs']) => ({
        ...stats,
        median: stats.median / reads,
        min: stats.min / reads,
        max: stats.max / reads,
      });
      const readRow = (name: string, figure: (typeof readStats)['entriesUs'], baseline: typeof figure) => ({
        name,
        figure: formatSeconds(perRead(figure)),
        baseline: formatSeconds(perRead(baseline)),
        ratio: formatRatio(figure, baseline),
      });
      const writeRow = (name: string, figure: (typeof writeStats)['latest']) => ({
        name,
        figure: formatSeconds(figure),
        baseline: formatSeconds(writeStats.latest),
        ratio: formatRatio(figure, writeStats.latest),
      });
      printTable(
        `chart-history: ${formatNumber(hours)} hourly windows × ${REGIONS.length} regions (${formatNumber(entries)} entries) in embedded PostgreSQL`,
        [
          'reads:  one chart’s entries, per query (median of the loop ÷ its queries); baseline: the entries without',
          '        semantics (the query before migration 003); us has a song at #1 in every window, gb does not',
          'writes: replaceWindow of all regions of a window; a restatement swaps 3 songs of each chart, so every',
          '        later window of those songs is re-derived; baseline: the scheduled re-run of the latest window',
          `ratio:  baseline ÷ figure time; median of ${plan.runs} runs after ${plan.warmups} warm-up, ± half the range`,
          `setup:  writing the history window by window (replaceWindow, semantics included) took ${filling.toFixed(1)} s`,
        ],
        [
          readRow('read us, semantics stored', readStats.storedUs, readStats.entriesUs),
          readRow('read us, semantics derived per read', readStats.derivedUs, readStats.entriesUs),
          readRow('read gb, semantics stored', readStats.storedGb, readStats.entriesGb),
          readRow('read gb, semantics derived per read', readStats.derivedGb, readStats.entriesGb),
          writeRow('restate the middle window', writeStats.middle),
          writeRow('restate the oldest window', writeStats.oldest),
        ],
      );
    } finally {
      await pool.end();
      await database.stop();
    }
  });
}

function windowOf(charts: readonly Chart[]) {
  return windowStartingAt('hour', charts[0]!.window_start);
}
