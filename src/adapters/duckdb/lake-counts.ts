import type { ChartWindow } from '../../domain/charts.ts';
import { MIN_MS_PLAYED } from '../../domain/charts.ts';
import type { LakeFileCounts } from '../../domain/pipeline-counts.ts';
import { GLOBAL_REGION } from '../../domain/regions.ts';
import { readParquetFiles, sqlString, withDuckDb } from './duckdb.ts';
import { numberedDeliveries } from './first-deliveries.ts';

/**
 * Counts the deliveries in a window's Parquet files by the chart rules' own definitions (chart-query.ts): the first
 * delivery of an event_id is the one with the lowest source position; every other is a duplicate; a first delivery
 * under MIN_MS_PLAYED is a short play. Every row counts in the region it names, so per region too
 * rows = duplicates + short plays + what the chart counts.
 */
export async function countLakeFiles(
  files: readonly string[],
  window: ChartWindow,
): Promise<LakeFileCounts[]> {
  if (files.length === 0) return [];
  const sql = `
    WITH deliveries AS (${numberedDeliveries({
      from: readParquetFiles(files),
      columns: 'region, played_at, ms_played',
    })})
    SELECT CASE WHEN grouping(region) = 1 THEN ${sqlString(GLOBAL_REGION)} ELSE region END AS counted_region,
           count(*)::BIGINT AS rows,
           count(*) FILTER (WHERE delivery > 1)::BIGINT AS duplicates,
           count(*) FILTER (WHERE delivery = 1 AND ms_played < ${MIN_MS_PLAYED})::BIGINT AS short_plays,
           max(played_at) AS newest_play_at
    FROM deliveries
    WHERE played_at >= ${sqlString(window.start.toISOString())}::TIMESTAMPTZ
      AND played_at < ${sqlString(window.end.toISOString())}::TIMESTAMPTZ
    GROUP BY GROUPING SETS ((region), ())`;
  const rows = await withDuckDb(async (connection) =>
    (await connection.runAndReadAll(sql)).getRowObjectsJS(),
  );
  return rows.map((row) => ({
    region: String(row.counted_region),
    rows: Number(row.rows),
    duplicates: Number(row.duplicates),
    short_plays: Number(row.short_plays),
    newest_play_at: row.newest_play_at instanceof Date ? row.newest_play_at : undefined,
  }));
}
