/** The queries behind the charts API: each reads from one snapshot. */
import type { Chart, Movement, Period } from '../../domain/charts.ts';
import type {
  ChartSummary,
  ServedChart,
  ServedChartEntry,
  SongChartEntry,
  SongDetails,
  SongHistory,
  SongHistoryQuery,
} from '../../ports/chart-store.ts';
import { type BoundedDatabase, READ_SNAPSHOT } from './transaction.ts';

interface ChartRow {
  region: string;
  period: Period;
  window_start: Date;
  window_end: Date;
  status: Chart['status'];
  generated_at: Date;
  eligible_plays: string;
  version: number;
  restated_at: Date | null;
}

/** `plays` is a bigint: text in a row, a number inside JSON (json_agg). */
type EntryRow = Omit<ServedChartEntry, 'plays' | 'movement'> & {
  plays: string | number;
  movement: Movement | null;
};

/**
 * The chart and its entries in one statement: one round trip, and one snapshot without a transaction (a
 * statement sees the database as of its start), so a replacement committing meanwhile cannot mix old and new.
 */
const CHART_WITH_ENTRIES = `
  SELECT c.*,
    (SELECT coalesce(json_agg(json_build_object(
              'rank', e.rank, 'song_id', e.song_id, 'title', s.title, 'artist', s.artist, 'genre', s.genre,
              'plays', e.plays, 'previous_rank', e.previous_rank, 'movement', e.movement,
              'peak_rank', e.peak_rank, 'periods_on_chart', e.periods_on_chart) ORDER BY e.rank), '[]')
     FROM chart_entries e LEFT JOIN songs s USING (song_id)
     WHERE e.region = c.region AND e.period = c.period AND e.window_start = c.window_start) AS entries
  FROM charts c`;
const CHART_AT = `${CHART_WITH_ENTRIES} WHERE c.region = $1 AND c.period = $2 AND c.window_start = $3`;
const LATEST_CHART = `${CHART_WITH_ENTRIES} WHERE c.region = $1 AND c.period = $2 ORDER BY c.window_start DESC LIMIT 1`;

/**
 * A genre's chart ($3) of a window: the window's chart row, the genre's eligible plays (0 when it had none) and
 * its entries, whose semantics are derived here from the genre's series (the chart jobs store them without).
 */
const GENRE_CHART = `
  SELECT c.region, c.period, c.window_start, c.window_end, c.status, c.generated_at, c.version, c.restated_at,
    coalesce(g.eligible_plays, 0) AS eligible_plays,
    (SELECT coalesce(json_agg(json_build_object(
              'rank', e.rank, 'song_id', e.song_id, 'title', s.title, 'artist', s.artist, 'genre', s.genre,
              'plays', e.plays, 'previous_rank', previous.rank,
              'movement', CASE
                WHEN previous.rank > e.rank THEN 'up'
                WHEN previous.rank < e.rank THEN 'down'
                WHEN previous.rank = e.rank THEN 'same'
                WHEN history.periods_on_chart > 1 THEN 're-entry'
                ELSE 'new' END,
              'peak_rank', history.peak_rank, 'periods_on_chart', history.periods_on_chart) ORDER BY e.rank), '[]')
     FROM genre_chart_entries e
     LEFT JOIN songs s USING (song_id)
     LEFT JOIN genre_chart_entries previous
       ON previous.song_id = e.song_id AND previous.genre = e.genre AND previous.period = e.period
         AND previous.region = e.region
         AND previous.window_start = e.window_start - chart_period_length(e.period)
     CROSS JOIN LATERAL (
       SELECT min(h.rank) AS peak_rank, count(*) AS periods_on_chart
       FROM genre_chart_entries h
       WHERE h.song_id = e.song_id AND h.genre = e.genre AND h.period = e.period AND h.region = e.region
         AND h.window_start <= e.window_start
     ) AS history
     WHERE e.region = c.region AND e.period = c.period AND e.window_start = c.window_start AND e.genre = $3
    ) AS entries
  FROM charts c
  LEFT JOIN genre_charts g
    ON g.region = c.region AND g.period = c.period AND g.window_start = c.window_start AND g.genre = $3`;
const GENRE_CHART_AT = `${GENRE_CHART} WHERE c.region = $1 AND c.period = $2 AND c.window_start = $4`;
const LATEST_GENRE_CHART = `${GENRE_CHART} WHERE c.region = $1 AND c.period = $2 ORDER BY c.window_start DESC LIMIT 1`;

/** The chart of a window (the latest without `windowStart`); with `genre`, that window's chart of the genre. */
export async function findChart(
  db: BoundedDatabase,
  region: string,
  period: Period,
  windowStart?: Date,
  genre?: string,
): Promise<ServedChart | undefined> {
  const [sql, parameters] =
    genre === undefined
      ? [
          windowStart ? CHART_AT : LATEST_CHART,
          windowStart ? [region, period, windowStart] : [region, period],
        ]
      : [
          windowStart ? GENRE_CHART_AT : LATEST_GENRE_CHART,
          windowStart ? [region, period, genre, windowStart] : [region, period, genre],
        ];
  const { rows } = await db.query<ChartRow & { entries: EntryRow[] }>(sql, parameters);
  const chart = rows[0];
  if (!chart) return undefined;
  return {
    ...summaryOf(chart),
    region: chart.region,
    period: chart.period,
    ...(genre === undefined ? {} : { genre }),
    entries: chart.entries.map(entryOf),
  };
}

function entryOf(row: EntryRow): ServedChartEntry {
  const { movement } = row;
  // The writer derives them in the transaction that inserts the entry (refresh_chart_semantics).
  if (movement === null) throw new Error(`chart entry ${row.song_id} at rank ${row.rank} has no semantics`);
  return { ...row, movement, plays: Number(row.plays) };
}

function summaryOf(row: ChartRow): ChartSummary {
  return {
    window_start: row.window_start,
    window_end: row.window_end,
    status: row.status,
    generated_at: row.generated_at,
    eligible_plays: Number(row.eligible_plays),
    version: row.version,
    restated_at: row.restated_at,
  };
}

export async function listWindows(
  db: BoundedDatabase,
  region: string,
  period: Period,
  page: { readonly before?: Date | undefined; readonly limit: number },
): Promise<ChartSummary[]> {
  const { rows } = await db.query<ChartRow>(
    `SELECT * FROM charts
     WHERE region = $1 AND period = $2 AND ($3::timestamptz IS NULL OR window_start < $3)
     ORDER BY window_start DESC LIMIT $4`,
    [region, period, page.before ?? null, page.limit],
  );
  return rows.map(summaryOf);
}

export function findSongHistory(
  db: BoundedDatabase,
  query: SongHistoryQuery,
): Promise<SongHistory | undefined> {
  return db.inTransaction(READ_SNAPSHOT, async (client) => {
    const songs = await client.query<SongDetails>(
      'SELECT song_id, title, artist, genre FROM songs WHERE song_id = $1',
      [query.songId],
    );
    const entries = await client.query<SongChartEntry & { plays: string }>(
      `SELECT e.region, e.window_start, c.window_end, c.status, e.rank, e.plays
       FROM chart_entries e JOIN charts c USING (region, period, window_start)
       WHERE e.song_id = $1 AND e.period = $2 AND e.window_start >= $3 AND ($4::text IS NULL OR e.region = $4)
       ORDER BY e.region, e.window_start`,
      [query.songId, query.period, query.since, query.region ?? null],
    );
    const song = songs.rows[0];
    if (!song && entries.rows.length === 0) {
      // Known to the charts all the same if it was ever in one, in any period, region or time.
      const charted = await client.query('SELECT 1 FROM chart_entries WHERE song_id = $1 LIMIT 1', [
        query.songId,
      ]);
      if (charted.rows.length === 0) return undefined;
    }
    return {
      song: song ?? { song_id: query.songId, title: null, artist: null, genre: null },
      entries: entries.rows.map((entry) => ({ ...entry, plays: Number(entry.plays) })),
    };
  });
}
