import type pg from 'pg';
import type { Chart, ChartWindow, Period } from '../../domain/charts.ts';
import type { Song } from '../../domain/song.ts';
import type { ChartStore, ServedChart, ServedChartEntry } from '../../ports/chart-store.ts';
import { onConnection } from './pool.ts';

interface ChartRow {
  region: string;
  period: Period;
  window_start: Date;
  window_end: Date;
  status: Chart['status'];
  generated_at: Date;
  eligible_plays: string;
}

/**
 * Charts in PostgreSQL. Every operation runs on one connection within `timeoutMs` and fails with a
 * StoreUnavailableError when the database is out of reach (src/adapters/postgres/pool.ts).
 */
export class PostgresChartStore implements ChartStore {
  private readonly pool: pg.Pool;
  private readonly timeoutMs: number;

  constructor(pool: pg.Pool, timeoutMs: number) {
    this.pool = pool;
    this.timeoutMs = timeoutMs;
  }

  async replaceWindow(window: ChartWindow, charts: readonly Chart[]): Promise<void> {
    await this.inTransaction('BEGIN', async (client) => {
      // Runs of the same window (a schedule beside a backfill, overlapping Lambda runs) take turns: without
      // this, the second one's inserts would hit the first one's uncommitted rows and fail on the key.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `charts:${window.period}:${window.start.toISOString()}`,
      ]);
      await client.query('DELETE FROM charts WHERE period = $1 AND window_start = $2', [
        window.period,
        window.start,
      ]);
      for (const chart of charts) {
        await client.query(
          `INSERT INTO charts (region, period, window_start, window_end, status, generated_at, eligible_plays)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            chart.region,
            chart.period,
            chart.window_start,
            chart.window_end,
            chart.status,
            chart.generated_at,
            chart.eligible_plays,
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
    });
  }

  async windowState(window: ChartWindow) {
    const { rows } = await this.query<{ status: Chart['status']; generated_at: Date }>(
      `SELECT status, min(generated_at) AS generated_at FROM charts
       WHERE period = $1 AND window_start = $2 GROUP BY status ORDER BY status LIMIT 1`,
      [window.period, window.start],
    );
    const row = rows[0];
    return row ? { status: row.status, generatedAt: row.generated_at } : undefined;
  }

  async findChart(region: string, period: Period, windowStart?: Date): Promise<ServedChart | undefined> {
    // One snapshot for the chart and its entries, so a replacement committing in between cannot mix them.
    return this.inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client) => {
      const { rows } = await client.query<ChartRow>(
        windowStart
          ? 'SELECT * FROM charts WHERE region = $1 AND period = $2 AND window_start = $3'
          : 'SELECT * FROM charts WHERE region = $1 AND period = $2 ORDER BY window_start DESC LIMIT 1',
        windowStart ? [region, period, windowStart] : [region, period],
      );
      const chart = rows[0];
      if (!chart) return undefined;
      const entries = await client.query<ServedChartEntry & { plays: string }>(
        `SELECT e.rank, e.song_id, s.title, s.artist, s.genre, e.plays
         FROM chart_entries e LEFT JOIN songs s USING (song_id)
         WHERE e.region = $1 AND e.period = $2 AND e.window_start = $3
         ORDER BY e.rank`,
        [chart.region, chart.period, chart.window_start],
      );
      return {
        ...chart,
        eligible_plays: Number(chart.eligible_plays),
        entries: entries.rows.map((entry) => ({ ...entry, plays: Number(entry.plays) })),
      };
    });
  }

  async upsertSongs(songs: readonly Song[]): Promise<number> {
    if (songs.length === 0) return 0;
    const result = await this.query(
      `INSERT INTO songs (song_id, title, artist, genre)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (song_id) DO UPDATE
         SET title = excluded.title, artist = excluded.artist, genre = excluded.genre, updated_at = now()
         WHERE (songs.title, songs.artist, songs.genre) IS DISTINCT FROM (excluded.title, excluded.artist, excluded.genre)`,
      [
        songs.map((song) => song.song_id),
        songs.map((song) => song.title),
        songs.map((song) => song.artist),
        songs.map((song) => song.genre),
      ],
    );
    return result.rowCount ?? 0;
  }

  private query<R extends pg.QueryResultRow>(sql: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    return onConnection(this.pool, this.timeoutMs, (client) => client.query<R>(sql, values));
  }

  /**
   * Runs `work` in a transaction: committed if it returns; if it throws, the connection is closed (by
   * onConnection) and the server rolls the transaction back.
   */
  private inTransaction<T>(begin: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return onConnection(this.pool, this.timeoutMs, async (client) => {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    });
  }
}
