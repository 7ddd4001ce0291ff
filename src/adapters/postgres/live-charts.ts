import type pg from 'pg';
import { LATE_PLAY_GRACE_MS, type Period } from '../../domain/charts.ts';
import type { LiveDelivery } from '../../domain/live-chart.ts';
import type { LiveChartStore, LiveTally, LiveTallySong } from '../../ports/live-chart-store.ts';
import { type BoundedDatabase, boundedDatabase } from './transaction.ts';

/** Rows of ended windows dropped per batch: a busy hour's are millions, and a batch must stay short. */
const PRUNED_PER_BATCH = 20_000;

/**
 * Keeps each window's least delivery per event_id (a redelivered or lesser one replaces nothing or exactly the
 * one it beats) and adds to the tallies only what that changed: old values are read in the same statement, whose
 * snapshot cannot miss a concurrent batch's rows because batches take turns (the advisory lock below).
 */
const ADD_DELIVERIES = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::uuid[], $4::integer[], $5::bigint[], $6::text[],
                         $7::text[], $8::boolean[], $9::timestamptz[])
      AS d(period, window_start, event_id, source_partition, source_offset, region, song_id, counted, played_at)
  ),
  least_in_batch AS (
    SELECT DISTINCT ON (period, window_start, event_id)
      period, window_start, event_id, source_partition, source_offset, region, song_id, counted
    FROM input ORDER BY period, window_start, event_id, source_partition, source_offset
  ),
  kept AS (
    SELECT p.* FROM live_chart_plays p JOIN least_in_batch b USING (period, window_start, event_id)
  ),
  changed AS (
    INSERT INTO live_chart_plays AS p SELECT * FROM least_in_batch
    ON CONFLICT (period, window_start, event_id) DO UPDATE
      SET source_partition = excluded.source_partition, source_offset = excluded.source_offset,
          region = excluded.region, song_id = excluded.song_id, counted = excluded.counted
      WHERE (excluded.source_partition, excluded.source_offset) < (p.source_partition, p.source_offset)
    RETURNING p.period, p.window_start, p.event_id, p.region, p.song_id, p.counted
  ),
  deltas AS (
    SELECT period, window_start, region, song_id, 1 AS plays FROM changed WHERE counted
    UNION ALL
    SELECT k.period, k.window_start, k.region, k.song_id, -1
    FROM kept k JOIN changed c USING (period, window_start, event_id) WHERE k.counted
  ),
  by_region AS (
    SELECT period, window_start, region, song_id, sum(plays) AS plays FROM deltas GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT period, window_start, 'global', song_id, sum(plays) FROM deltas GROUP BY 1, 2, 4
  ),
  tallied AS (
    INSERT INTO live_chart_tallies AS t (period, window_start, region, song_id, plays)
    SELECT * FROM by_region WHERE plays <> 0
    ON CONFLICT (period, window_start, region, song_id) DO UPDATE SET plays = t.plays + excluded.plays
    RETURNING 1
  ),
  windows AS (
    INSERT INTO live_chart_windows AS w (period, window_start, newest_play_at)
    SELECT period, window_start, max(played_at) FROM input GROUP BY 1, 2
    ON CONFLICT (period, window_start) DO UPDATE
      SET newest_play_at = greatest(w.newest_play_at, excluded.newest_play_at)
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM changed)::integer AS changed,
         (SELECT count(*) FROM tallied) + (SELECT count(*) FROM windows) AS written`;

/** Windows final at $1 (their end plus the grace, in ms as $2). */
const ENDED = `SELECT period, window_start FROM live_chart_windows
  WHERE window_start + chart_period_length(period) + make_interval(secs => $2::double precision / 1000) <= $1`;

/**
 * A window's live chart of one region in one statement (one snapshot): its as-of, eligible plays and top songs in
 * the chart's order (plays descending, then song_id in code-point order, as the chart query ranks), each with the
 * catalog's details and its stored history in this region and period before the window (for its semantics).
 */
const LIVE_TALLY = `
  SELECT pr.as_of, w.newest_play_at,
    (SELECT coalesce(sum(plays), 0) FROM live_chart_tallies
     WHERE period = $1 AND window_start = $2 AND region = $3) AS eligible_plays,
    (SELECT coalesce(json_agg(json_build_object(
              'song_id', top.song_id, 'plays', top.plays, 'title', s.title, 'artist', s.artist, 'genre', s.genre,
              'previous_rank', previous.rank, 'best_rank_before', history.best,
              'periods_before', history.periods) ORDER BY top.plays DESC, top.song_id COLLATE "C"), '[]')
     FROM (SELECT song_id, plays FROM live_chart_tallies
           WHERE period = $1 AND window_start = $2 AND region = $3 AND plays > 0
           ORDER BY plays DESC, song_id COLLATE "C" LIMIT $4) AS top
     LEFT JOIN songs s USING (song_id)
     LEFT JOIN chart_entries previous
       ON previous.song_id = top.song_id AND previous.period = $1 AND previous.region = $3
         AND previous.window_start = $2::timestamptz - chart_period_length($1)
     CROSS JOIN LATERAL (
       SELECT min(h.rank) AS best, count(*)::integer AS periods FROM chart_entries h
       WHERE h.song_id = top.song_id AND h.period = $1 AND h.region = $3 AND h.window_start < $2
     ) AS history
    ) AS songs
  FROM live_chart_windows w CROSS JOIN live_chart_progress pr
  WHERE w.period = $1 AND w.window_start = $2`;

/** The live chart's tallies in PostgreSQL (migration 008); see LiveChartStore. */
export class PostgresLiveChartStore implements LiveChartStore {
  private readonly db: BoundedDatabase;

  constructor(pool: pg.Pool, timeoutMs: number) {
    this.db = boundedDatabase(pool, timeoutMs);
  }

  async addDeliveries(deliveries: readonly LiveDelivery[], now: Date): Promise<number> {
    return this.db.inTransaction('BEGIN', async (client) => {
      // Batches take turns (Lambda runs one per partition or shard at once): see ADD_DELIVERIES.
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended('live-chart', 0))");
      let changed = 0;
      if (deliveries.length > 0) {
        const { rows } = await client.query<{ changed: number }>(ADD_DELIVERIES, [
          deliveries.map((d) => d.period),
          deliveries.map((d) => d.window_start),
          deliveries.map((d) => d.event_id),
          deliveries.map((d) => d.partition),
          deliveries.map((d) => d.offset),
          deliveries.map((d) => d.region),
          deliveries.map((d) => d.song_id),
          deliveries.map((d) => d.counted),
          deliveries.map((d) => d.played_at),
        ]);
        changed = rows[0]?.changed ?? 0;
      }
      await client.query(
        `INSERT INTO live_chart_progress (singleton, as_of) VALUES (true, $1)
         ON CONFLICT (singleton) DO UPDATE SET as_of = greatest(live_chart_progress.as_of, excluded.as_of)`,
        [now],
      );
      await prune(client, now);
      return changed;
    });
  }

  async liveTally(
    region: string,
    period: Period,
    windowStart: Date,
    limit: number,
  ): Promise<LiveTally | undefined> {
    const { rows } = await this.db.query<{
      as_of: Date;
      newest_play_at: Date;
      eligible_plays: string;
      songs: (Omit<LiveTallySong, 'plays'> & { plays: number | string })[];
    }>(LIVE_TALLY, [period, windowStart, region, limit]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      region,
      period,
      windowStart,
      asOf: row.as_of,
      newestPlayAt: row.newest_play_at,
      eligiblePlays: Number(row.eligible_plays),
      songs: row.songs.map((song) => ({ ...song, plays: Number(song.plays) })),
    };
  }

  async newestLivePlay(): Promise<Date | undefined> {
    const { rows } = await this.db.query<{ newest: Date | null }>(
      'SELECT max(newest_play_at) AS newest FROM live_chart_windows',
    );
    return rows[0]?.newest ?? undefined;
  }
}

/**
 * Drops a slice of the kept deliveries of windows final at `now`, and once none is left, their tallies: a busy
 * window's millions of rows go over the next batches, each batch's transaction staying short.
 */
async function prune(client: pg.PoolClient, now: Date): Promise<void> {
  const ended = [now, LATE_PLAY_GRACE_MS];
  const deleted = await client.query(
    `DELETE FROM live_chart_plays WHERE ctid = ANY(ARRAY(
       SELECT p.ctid FROM live_chart_plays p JOIN (${ENDED}) e USING (period, window_start) LIMIT $3))`,
    [...ended, PRUNED_PER_BATCH],
  );
  if ((deleted.rowCount ?? 0) >= PRUNED_PER_BATCH) return;
  await client.query(
    `DELETE FROM live_chart_tallies t USING (${ENDED}) e
     WHERE t.period = e.period AND t.window_start = e.window_start`,
    ended,
  );
  await client.query(
    `DELETE FROM live_chart_windows w USING (${ENDED}) e
     WHERE w.period = e.period AND w.window_start = e.window_start`,
    ended,
  );
}
