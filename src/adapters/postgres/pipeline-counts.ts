import type pg from 'pg';
import { type Period, windowStartingAt } from '../../domain/charts.ts';
import type { HourCount, LakeCounts, RejectionCount, WindowCounts } from '../../domain/pipeline-counts.ts';
import type { DeadLetter, PipelineCountStore } from '../../ports/pipeline-counts.ts';
import { type BoundedDatabase, boundedDatabase, READ_SNAPSHOT } from './transaction.ts';

/**
 * The pipeline's counts in PostgreSQL (migration 006). Ingest's counts are upserts that add, so that concurrent
 * requests in any number of processes each add theirs; dead letters are rows keyed by their source, so that
 * counting one again changes nothing.
 */
export class PostgresPipelineCountStore implements PipelineCountStore {
  private readonly db: BoundedDatabase;

  constructor(pool: pg.Pool, timeoutMs: number) {
    this.db = boundedDatabase(pool, timeoutMs);
  }

  async addIngest(accepted: readonly HourCount[], rejected: readonly RejectionCount[]): Promise<void> {
    if (accepted.length === 0 && rejected.length === 0) return;
    // One statement, so a request's counts are added whole or not at all. Every request of every process
    // updates the same few rows (this hour's regions), each statement holding the rows it updated until it
    // commits: so each table's rows are taken in one order (ORDER BY), the same for everyone, and two requests
    // cannot each hold a row the other waits for. In the order of each request's events instead, concurrent
    // requests deadlocked: PostgreSQL broke each deadlock after its deadlock_timeout (1 s) by failing one
    // statement (its counts lost), while every other request's counts queued behind them, holding the pool's
    // connections until ingest's rate checks found none (docs/benchmarks.md, "Freshness: what starved the pool").
    await this.db.query(
      `WITH accepted AS (
         INSERT INTO ingest_accepted AS a (hour, region, deliveries)
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::bigint[]) AS c(hour, region, deliveries)
         ORDER BY hour, region COLLATE "C"
         ON CONFLICT (hour, region) DO UPDATE SET deliveries = a.deliveries + excluded.deliveries
         RETURNING 1
       )
       INSERT INTO ingest_rejected AS r (hour, region, reason, events)
       SELECT * FROM unnest($4::timestamptz[], $5::text[], $6::text[], $7::bigint[]) AS c(hour, region, reason, events)
       ORDER BY hour, region COLLATE "C", reason COLLATE "C"
       ON CONFLICT (hour, region, reason) DO UPDATE SET events = r.events + excluded.events`,
      [
        accepted.map((count) => count.hour),
        accepted.map((count) => count.region),
        accepted.map((count) => count.count),
        rejected.map((count) => count.hour),
        rejected.map((count) => count.region),
        rejected.map((count) => count.reason),
        rejected.map((count) => count.count),
      ],
    );
  }

  async addDeadLetters(letters: readonly DeadLetter[]): Promise<number> {
    if (letters.length === 0) return 0;
    const result = await this.db.query(
      `INSERT INTO dead_letters (source, hour, region, reason, dead_lettered_at)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::timestamptz[])
       ON CONFLICT (source) DO NOTHING`,
      [
        letters.map((letter) => letter.source),
        letters.map((letter) => letter.hour),
        letters.map((letter) => letter.region),
        letters.map((letter) => letter.reason),
        letters.map((letter) => letter.deadLetteredAt),
      ],
    );
    return result.rowCount ?? 0;
  }

  async replaceLakeCounts(
    period: Period,
    windowStart: Date,
    counts: readonly LakeCounts[],
    newestPlayAt: Date | undefined,
    countedAt: Date,
  ): Promise<void> {
    await this.db.inTransaction('BEGIN', async (client) => {
      await client.query('DELETE FROM lake_counts WHERE period = $1 AND window_start = $2', [
        period,
        windowStart,
      ]);
      await client.query(
        `INSERT INTO lake_counts (period, window_start, region, in_lake, rejected_in_lake, duplicates, short_plays,
           charted, newest_play_at, counted_at)
         SELECT $1, $2, region, in_lake, rejected_in_lake, duplicates, short_plays, charted, $9, $10
         FROM unnest($3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])
           AS c(region, in_lake, rejected_in_lake, duplicates, short_plays, charted)`,
        [
          period,
          windowStart,
          counts.map((count) => count.region),
          counts.map((count) => count.in_lake),
          counts.map((count) => count.rejected_in_lake),
          counts.map((count) => count.duplicates),
          counts.map((count) => count.short_plays),
          counts.map((count) => count.charted),
          newestPlayAt ?? null,
          countedAt,
        ],
      );
    });
  }

  async windowCounts(period: Period, windowStart: Date): Promise<WindowCounts> {
    const { start, end } = windowStartingAt(period, windowStart);
    return this.db.inTransaction(READ_SNAPSHOT, async (client) => {
      const hours = [start, end];
      const accepted = await client.query<{ region: string; count: string }>(
        `SELECT region, sum(deliveries) AS count FROM ingest_accepted
         WHERE hour >= $1 AND hour < $2 GROUP BY region`,
        hours,
      );
      const rejected = await client.query<{ region: string; reason: string; count: string }>(
        `SELECT region, reason, sum(events) AS count FROM ingest_rejected
         WHERE hour >= $1 AND hour < $2 GROUP BY region, reason`,
        hours,
      );
      const deadLetters = await client.query<{ region: string; count: string }>(
        `SELECT region, count(*) AS count FROM dead_letters WHERE hour >= $1 AND hour < $2 GROUP BY region`,
        hours,
      );
      const lake = await client.query<Record<keyof LakeCounts, string>>(
        `SELECT region, in_lake, rejected_in_lake, duplicates, short_plays, charted FROM lake_counts
         WHERE period = $1 AND window_start = $2`,
        [period, start],
      );
      return {
        accepted: accepted.rows.map((row) => ({ region: row.region, count: Number(row.count) })),
        rejected: rejected.rows.map((row) => ({ ...row, count: Number(row.count) })),
        deadLetters: deadLetters.rows.map((row) => ({ region: row.region, count: Number(row.count) })),
        lake: lake.rows.map((row) => ({
          region: row.region,
          in_lake: Number(row.in_lake),
          rejected_in_lake: Number(row.rejected_in_lake),
          duplicates: Number(row.duplicates),
          short_plays: Number(row.short_plays),
          charted: Number(row.charted),
        })),
      };
    });
  }

  async newestPlayInLake(): Promise<Date | undefined> {
    const { rows } = await this.db.query<{ newest: Date | null }>(
      'SELECT max(newest_play_at) AS newest FROM lake_counts',
    );
    return rows[0]?.newest ?? undefined;
  }
}
