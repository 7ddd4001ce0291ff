import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { lakePlayColumns } from '../../domain/lake-row.ts';
import { HOUR_FILE_ROW_GROUP_ROWS, readParquetFiles, sqlString, withDuckDb } from './duckdb.ts';
import { firstDeliveries } from './first-deliveries.ts';

export interface CompactedFiles {
  /** Local paths of the compacted Parquet files, in order (rows sorted by played_at, event_id across them). */
  readonly paths: readonly string[];
  readonly rows: number;
  /** Later deliveries of an event_id dropped, per region of the dropped row. */
  readonly duplicatesRemoved: Readonly<Record<string, number>>;
}

/** Largest compacted file: an hour at 200 plays/s (720,000 rows) is about 40 MB, so one or a few files. */
const FILE_SIZE = '256MB';

const columns = lakePlayColumns
  .map(([name, type]) => `${name}::${type.replace(' NOT NULL', '')} AS ${name}`)
  .join(', ');
const names = lakePlayColumns.map(([name]) => name).join(', ');

/**
 * Rewrites `inputs` (an hour's compacted files and new writer files) as a few large Parquet files in
 * `outDir`: each event_id once, its first delivery by (source_topic, source_partition, source_offset) exactly
 * as the chart query keeps it (chart-query.ts), so that charts over the output equal charts over the inputs;
 * sorted by played_at then event_id; the lake's column types (lake-row.ts), ZSTD. DuckDB's COPY is the fastest
 * encoder for files this size (docs/benchmarks.md, "Lake-writer encoding").
 */
export async function compactPlayFiles(inputs: readonly string[], outDir: string): Promise<CompactedFiles> {
  return withDuckDb(async (connection) => {
    const source = readParquetFiles(inputs);
    const copied = await connection.runAndReadAll(
      `COPY (SELECT ${names} FROM (${firstDeliveries({ from: source, columns })}) ORDER BY played_at, event_id)
       TO ${sqlString(outDir)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${HOUR_FILE_ROW_GROUP_ROWS},
                                FILE_SIZE_BYTES '${FILE_SIZE}', FILENAME_PATTERN 'part-{i}', OVERWRITE_OR_IGNORE true)`,
    );
    const rows = Number(copied.getRows()[0]?.[0] ?? 0);
    const files = (await readdir(outDir)).filter((name) => name.endsWith('.parquet'));
    // part-0, part-1, …, part-10: in the order written.
    files.sort((a, b) => partNumber(a) - partNumber(b));
    const paths = files.map((name) => join(outDir, name));
    // A region's rows in, less its rows kept: its later deliveries, without numbering every row again.
    const kept =
      paths.length > 0
        ? `SELECT region, count(*) AS n FROM ${readParquetFiles(paths)} GROUP BY region`
        : 'SELECT NULL::VARCHAR AS region, 0 AS n WHERE false';
    const removed = (
      await connection.runAndReadAll(
        `WITH rows_in AS (SELECT region, count(*) AS n FROM ${source} GROUP BY region), kept AS (${kept})
         SELECT region, (rows_in.n - coalesce(kept.n, 0))::INTEGER AS removed
         FROM rows_in LEFT JOIN kept USING (region) WHERE rows_in.n > coalesce(kept.n, 0)`,
      )
    ).getRowObjectsJS() as { region: string; removed: number }[];
    return {
      paths,
      rows,
      duplicatesRemoved: Object.fromEntries(removed.map((row) => [row.region, row.removed])),
    };
  });
}

function partNumber(name: string): number {
  return Number(/part-(\d+)/.exec(name)?.[1] ?? 0);
}
