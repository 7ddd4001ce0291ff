import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIN_MS_PLAYED } from '../../domain/charts.ts';
import type { BuildHourRollup } from '../../ports/rollup-engine.ts';
import { withScratchDir } from '../scratch-dir.ts';
import { genreOf, inWindow } from './chart-query.ts';
import { HOUR_REWRITE_THREADS, readParquetFiles, sqlString, withDuckDb } from './duckdb.ts';
import { firstDeliveries } from './first-deliveries.ts';
import { countLakeFiles } from './lake-counts.ts';

/**
 * The columns of a rollup's keys file (src/domain/rollups.ts) and of the day query's rows of hours read whole:
 * each event_id's first delivery, with a fingerprint (md5's lower 64 bits: a fixed algorithm, so rollups built
 * by another DuckDB version still match) that the day query groups by instead of the 36-character id.
 */
export function firstDeliveriesSql(
  files: readonly string[],
  options: { enriched: boolean; catalog?: string },
) {
  const { genre, songs } = genreOf(options);
  return `
    SELECT md5_number_lower(p.event_id) AS fingerprint, p.event_id, p.region, p.song_id, ${genre} AS genre,
           p.played_at, p.ms_played, p.source_topic, p.source_partition, p.source_offset
    FROM (${firstDeliveries({
      from: readParquetFiles(files, { mixedSchemas: options.enriched }),
      columns: `event_id, song_id, region, played_at, ms_played, source_topic, source_partition, source_offset
                ${options.enriched ? ', genre' : ''}`,
    })}) p ${songs}`;
}

/**
 * One hour's rollup from its plays files (local copies): the keys file (each event_id once, sorted by
 * fingerprint), the counts file (region, genre, song_id, plays of the eligible plays, by the day's window, so
 * that a rollup is exactly what its hour's files add to the day), and countLakeFiles' counts of the same files.
 */
export const buildHourRollupFiles: BuildHourRollup = async (input) =>
  withScratchDir(async (dir) => {
    const keysFile = join(dir, 'keys.parquet');
    const countsFile = join(dir, 'counts.parquet');
    const options =
      input.catalog === undefined ? { enriched: false } : { enriched: false, catalog: input.catalog };
    // Sorted like an hour's rewrite, so on one thread as those are (HOUR_REWRITE_THREADS); the day's chart keeps two.
    const events = await withDuckDb(
      async (connection) => {
        await connection.run(`
        COPY (${firstDeliveriesSql(input.plays, options)} ORDER BY fingerprint, p.event_id)
        TO ${sqlString(keysFile)} (FORMAT parquet, COMPRESSION zstd)`);
        await connection.run(`
        COPY (
          SELECT region, genre, song_id, count(*)::BIGINT AS plays
          FROM read_parquet(${sqlString(keysFile)})
          WHERE ${inWindow('played_at', input.day)} AND ms_played >= ${MIN_MS_PLAYED}
          GROUP BY ALL ORDER BY ALL
        ) TO ${sqlString(countsFile)} (FORMAT parquet, COMPRESSION zstd)`);
        const [row] = (
          await connection.runAndReadAll(
            `SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(keysFile)})`,
          )
        ).getRowObjectsJS() as { n: number }[];
        return row?.n ?? 0;
      },
      { threads: HOUR_REWRITE_THREADS },
    );
    return {
      counts: new Uint8Array(await readFile(countsFile)),
      keys: new Uint8Array(await readFile(keysFile)),
      events,
      lakeCounts: await countLakeFiles(input.plays, input.day),
    };
  });
