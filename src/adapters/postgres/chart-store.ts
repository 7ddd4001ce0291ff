import type pg from 'pg';
import type { Chart, ChartWindow, GenreChart, Period } from '../../domain/charts.ts';
import type { Song } from '../../domain/song.ts';
import type {
  ChartStore,
  ServedChart,
  SongHistory,
  SongHistoryQuery,
  WindowReplacement,
} from '../../ports/chart-store.ts';
import { findChart, findSongHistory, listWindows } from './chart-reads.ts';
import { type PreviousChart, type PreviousEntry, revisionOf } from './chart-revision.ts';
import { type BoundedDatabase, boundedDatabase } from './transaction.ts';

/**
 * Charts in PostgreSQL. Every operation runs on one connection within `timeoutMs` and fails with a
 * StoreUnavailableError when the database is out of reach (src/adapters/postgres/pool.ts).
 */
export class PostgresChartStore implements ChartStore {
  private readonly db: BoundedDatabase;

  constructor(pool: pg.Pool, timeoutMs: number) {
    this.db = boundedDatabase(pool, timeoutMs);
  }

  async replaceWindow(
    window: ChartWindow,
    charts: readonly Chart[],
    genreCharts: readonly GenreChart[] = [],
  ): Promise<WindowReplacement> {
    return this.db.inTransaction('BEGIN', async (client) => {
      // Runs of the same period take turns (a schedule beside a backfill, overlapping Lambda runs): the second
      // one's inserts would otherwise hit the first one's uncommitted rows and fail on the key, and the semantics
      // of a window derive from the windows before it, which a concurrent run of another window may be changing.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `charts:${window.period}`,
      ]);
      const previous = await client.query<PreviousChart>(
        `SELECT region, status, generated_at, eligible_plays, version, restated_at FROM charts
         WHERE period = $1 AND window_start = $2`,
        [window.period, window.start],
      );
      const generatedAt = Math.max(...charts.map((chart) => chart.generated_at.getTime()));
      // An overlapping run that read the lake later stored these already, or more: never go back to older charts.
      if (previous.rows.some((row) => row.generated_at.getTime() > generatedAt)) {
        return { stored: false, restated: [] };
      }
      const replaced = await client.query<PreviousEntry>(
        `DELETE FROM chart_entries WHERE period = $1 AND window_start = $2
         RETURNING region, rank, song_id, plays`,
        [window.period, window.start],
      );
      await client.query('DELETE FROM charts WHERE period = $1 AND window_start = $2', [
        window.period,
        window.start,
      ]);
      const restated: string[] = [];
      for (const chart of charts) {
        const revision = revisionOf(chart, previous.rows, replaced.rows);
        if (revision.restated) restated.push(chart.region);
        await client.query(
          `INSERT INTO charts (region, period, window_start, window_end, status, generated_at, eligible_plays,
             version, restated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            chart.region,
            chart.period,
            chart.window_start,
            chart.window_end,
            chart.status,
            chart.generated_at,
            chart.eligible_plays,
            revision.version,
            revision.restated_at,
          ],
        );
        if (chart.entries.length === 0) continue;
        await client.query(
          `INSERT INTO chart_entries (region, period, window_start, rank, song_id, plays)
           SELECT $1, $2, $3, rank, song_id, plays
           FROM unnest($4::smallint[], $5::text[], $6::bigint[]) AS entry(rank, song_id, plays)`,
          [
            chart.region,
            chart.period,
            chart.window_start,
            chart.entries.map((entry) => entry.rank),
            chart.entries.map((entry) => entry.song_id),
            chart.entries.map((entry) => entry.plays),
          ],
        );
      }
      // The window's genre charts went with its charts (ON DELETE CASCADE); those with plays come back.
      await insertGenreCharts(client, window, genreCharts);
      // The songs whose entries this window gained or lost: only their later entries can change.
      const songs = [
        ...replaced.rows,
        ...charts.flatMap((chart) =>
          chart.entries.map((entry) => ({ region: chart.region, song_id: entry.song_id })),
        ),
      ];
      await client.query('SELECT refresh_chart_semantics($1, $2, $3::text[], $4::text[])', [
        window.period,
        window.start,
        songs.map((song) => song.region),
        songs.map((song) => song.song_id),
      ]);
      await bumpRevision(client);
      return { stored: true, restated };
    });
  }

  async unfinishedWindows(period: Period, endedBy: Date, limit: number): Promise<ChartWindow[]> {
    const { rows } = await this.db.query<{ window_start: Date; window_end: Date }>(
      `SELECT DISTINCT window_start, window_end FROM charts
       WHERE period = $1 AND status <> 'final' AND window_end <= $2
       ORDER BY window_start LIMIT $3`,
      [period, endedBy, limit],
    );
    return rows.map((row) => ({ period, start: row.window_start, end: row.window_end }));
  }

  async windowState(window: ChartWindow) {
    const { rows } = await this.db.query<{ status: Chart['status']; generated_at: Date }>(
      `SELECT status, min(generated_at) AS generated_at FROM charts
       WHERE period = $1 AND window_start = $2 GROUP BY status ORDER BY status LIMIT 1`,
      [window.period, window.start],
    );
    const row = rows[0];
    return row ? { status: row.status, generatedAt: row.generated_at } : undefined;
  }

  findChart(
    region: string,
    period: Period,
    windowStart?: Date,
    genre?: string,
  ): Promise<ServedChart | undefined> {
    return findChart(this.db, region, period, windowStart, genre);
  }

  listWindows(region: string, period: Period, page: { before?: Date | undefined; limit: number }) {
    return listWindows(this.db, region, period, page);
  }

  findSongHistory(query: SongHistoryQuery): Promise<SongHistory | undefined> {
    return findSongHistory(this.db, query);
  }

  async upsertSongs(songs: readonly Song[]): Promise<number> {
    if (songs.length === 0) return 0;
    return this.db.inTransaction('BEGIN', async (client) => {
      const changed = await upsertSongRows(client, songs);
      if (changed > 0) await bumpRevision(client);
      return changed;
    });
  }

  async revision(): Promise<string> {
    const { rows } = await this.db.query<{ revision: string }>('SELECT revision FROM chart_revision');
    return rows[0]?.revision ?? '0';
  }
}

/**
 * One up, as the last statement of a transaction that changed charts or songs: the row stays locked only while
 * the transaction commits, after every other lock it takes, so concurrent writers queue here without deadlock.
 */
async function bumpRevision(client: pg.PoolClient): Promise<void> {
  await client.query('UPDATE chart_revision SET revision = revision + 1');
}

async function upsertSongRows(client: pg.PoolClient, songs: readonly Song[]): Promise<number> {
  // home_regions travel as JSON text: unnest() cannot take an array of arrays of different lengths.
  const result = await client.query(
    `INSERT INTO songs (song_id, title, artist, genre, language, release_year, duration_ms, home_regions, popularity)
       SELECT song_id, title, artist, genre, language, release_year, duration_ms,
         CASE WHEN home_regions IS NOT NULL THEN coalesce(
           (SELECT array_agg(region ORDER BY n)
            FROM jsonb_array_elements_text(home_regions::jsonb) WITH ORDINALITY AS home(region, n)),
           '{}') END,
         popularity
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::smallint[], $7::integer[],
         $8::text[], $9::smallint[])
         AS song(song_id, title, artist, genre, language, release_year, duration_ms, home_regions, popularity)
       ON CONFLICT (song_id) DO UPDATE
         SET title = excluded.title, artist = excluded.artist, genre = excluded.genre,
           language = excluded.language, release_year = excluded.release_year,
           duration_ms = excluded.duration_ms, home_regions = excluded.home_regions,
           popularity = excluded.popularity, updated_at = now()
         WHERE (songs.title, songs.artist, songs.genre, songs.language, songs.release_year, songs.duration_ms,
             songs.home_regions, songs.popularity)
           IS DISTINCT FROM (excluded.title, excluded.artist, excluded.genre, excluded.language,
             excluded.release_year, excluded.duration_ms, excluded.home_regions, excluded.popularity)`,
    [
      songs.map((song) => song.song_id),
      songs.map((song) => song.title),
      songs.map((song) => song.artist),
      songs.map((song) => song.genre),
      songs.map((song) => song.language ?? null),
      songs.map((song) => song.release_year ?? null),
      songs.map((song) => song.duration_ms ?? null),
      songs.map((song) => (song.home_regions ? JSON.stringify(song.home_regions) : null)),
      songs.map((song) => song.popularity ?? null),
    ],
  );
  return result.rowCount ?? 0;
}

async function insertGenreCharts(
  client: pg.PoolClient,
  window: ChartWindow,
  genreCharts: readonly GenreChart[],
): Promise<void> {
  const charted = genreCharts.filter((chart) => chart.eligible_plays > 0);
  if (charted.length === 0) return;
  await client.query(
    `INSERT INTO genre_charts (genre, region, period, window_start, eligible_plays)
     SELECT genre, region, $1, $2, eligible_plays FROM unnest($3::text[], $4::text[], $5::bigint[])
       AS chart(genre, region, eligible_plays)`,
    [
      window.period,
      window.start,
      charted.map((chart) => chart.genre),
      charted.map((chart) => chart.region),
      charted.map((chart) => chart.eligible_plays),
    ],
  );
  const entries = charted.flatMap((chart) => chart.entries.map((entry) => ({ ...entry, chart })));
  await client.query(
    `INSERT INTO genre_chart_entries (genre, region, period, window_start, rank, song_id, plays)
     SELECT genre, region, $1, $2, rank, song_id, plays
     FROM unnest($3::text[], $4::text[], $5::smallint[], $6::text[], $7::bigint[])
       AS entry(genre, region, rank, song_id, plays)`,
    [
      window.period,
      window.start,
      entries.map((entry) => entry.chart.genre),
      entries.map((entry) => entry.chart.region),
      entries.map((entry) => entry.rank),
      entries.map((entry) => entry.song_id),
      entries.map((entry) => entry.plays),
    ],
  );
}
