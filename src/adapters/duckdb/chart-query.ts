import {
  CHART_SIZE,
  type ChartEntry,
  type ChartWindow,
  MIN_MS_PLAYED,
  type RegionTally,
} from '../../domain/charts.ts';
import { GLOBAL_REGION } from '../../domain/regions.ts';
import { sqlList, sqlString, withDuckDb } from './duckdb.ts';

/**
 * The chart rules as one query over the window's Parquet files:
 * each event_id once (its first delivery), only plays of at least MIN_MS_PLAYED inside the window,
 * ranked by plays descending then song_id ascending, per region and over all regions (`global`).
 * Returns only regions that have eligible plays.
 */
export async function tallyTopSongs(files: readonly string[], window: ChartWindow): Promise<RegionTally[]> {
  if (files.length === 0) return [];
  const sql = `
    WITH deliveries AS (
      SELECT event_id, song_id, region, played_at, ms_played, source_topic, source_partition, source_offset
      FROM read_parquet(${sqlList(files)}, union_by_name = true)
    ),
    plays AS (
      SELECT * FROM deliveries
      QUALIFY row_number() OVER (
        PARTITION BY event_id ORDER BY source_topic, source_partition, source_offset) = 1
    ),
    eligible AS (
      SELECT region, song_id FROM plays
      WHERE played_at >= ${sqlString(window.start.toISOString())}::TIMESTAMPTZ
        AND played_at < ${sqlString(window.end.toISOString())}::TIMESTAMPTZ
        AND ms_played >= ${MIN_MS_PLAYED}
    ),
    counts AS (
      SELECT CASE WHEN grouping(region) = 1 THEN ${sqlString(GLOBAL_REGION)} ELSE region END AS chart_region,
             song_id, count(*) AS plays
      FROM eligible
      GROUP BY GROUPING SETS ((region, song_id), (song_id))
    ),
    ranked AS (
      SELECT chart_region, song_id, plays,
             row_number() OVER (PARTITION BY chart_region ORDER BY plays DESC, song_id ASC) AS rank,
             sum(plays) OVER (PARTITION BY chart_region) AS eligible_plays
      FROM counts
    )
    SELECT chart_region, song_id, plays::BIGINT AS plays, rank::BIGINT AS rank, eligible_plays::BIGINT AS eligible_plays
    FROM ranked WHERE rank <= ${CHART_SIZE}
    ORDER BY chart_region, rank`;
  const rows = await withDuckDb(async (connection) =>
    (await connection.runAndReadAll(sql)).getRowObjectsJS(),
  );
  const byRegion = new Map<string, { eligible_plays: number; entries: ChartEntry[] }>();
  for (const row of rows) {
    const region = String(row.chart_region);
    const tally = byRegion.get(region) ?? { eligible_plays: Number(row.eligible_plays), entries: [] };
    tally.entries.push({ rank: Number(row.rank), song_id: String(row.song_id), plays: Number(row.plays) });
    byRegion.set(region, tally);
  }
  return [...byRegion].map(([region, tally]) => ({ region, ...tally }));
}
