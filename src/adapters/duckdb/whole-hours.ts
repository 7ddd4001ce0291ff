import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ChartWindow } from '../../domain/charts.ts';
import type { LakeRows, WholeHour } from '../../ports/rollup-engine.ts';
import { genreOf, inWindow } from './chart-query.ts';
import { readParquetFiles, sqlList, sqlString } from './duckdb.ts';
import { firstDeliveries } from './first-deliveries.ts';

/** A rollup's key columns (src/domain/rollups.ts), named: DuckDB would add a folder's `dt=` as a column of its own. */
export const KEY_COLUMNS = `fingerprint, event_id, region, song_id, genre, played_at, ms_played, source_topic,
                            source_partition, source_offset`;

/** The rows of `table` (KEY_COLUMNS) with each event_id once, its first delivery by source position. */
const firstOfEachEvent = (table: string) =>
  firstDeliveries({ from: table, columns: KEY_COLUMNS, fingerprint: 'fingerprint' });

/**
 * Loads the hours read whole into `tables.whole` (each event_id of them once, its first delivery, as a rollup's
 * keys) and the rollups' key rows that share a fingerprint with them into `tables.probed`, reading of each hour
 * only its seen part and the files listed since. The rollups' keys files (`rollupKeys`) are scanned only for
 * fingerprints no seen part has a probe of (the new files'): a seen part keeps its own.
 */
export async function loadWholeHours(
  connection: DuckDBConnection,
  input: {
    readonly hours: readonly WholeHour[];
    readonly catalog?: string | undefined;
    readonly window: ChartWindow;
    readonly rollupKeys: readonly string[];
  },
  tables: { readonly whole: string; readonly probed: string; readonly scratch: string },
  dir: string,
): Promise<{ rows: LakeRows[]; partial?: { keys: Uint8Array; probed: Uint8Array } }[]> {
  if (input.hours.length === 0) throw new Error('loadWholeHours needs an hour to read');
  const { genre, songs } = genreOf({ enriched: false, catalog: input.catalog });
  const firsts: string[] = [];
  const lookups: string[] = [];
  const rows: LakeRows[][] = [];
  const table = (name: string, index: number) => `${tables.scratch}_${name}_${index}`;
  for (const [index, hour] of input.hours.entries()) {
    // One hour (the open one, most of the time): its first deliveries are the whole table itself.
    const single = input.hours.length === 1;
    const [raw, candidates, first] = [
      table('raw', index),
      table('candidates', index),
      single ? tables.whole : table('first', index),
    ];
    await connection.run(
      hour.files.length > 0
        ? `CREATE TEMP TABLE ${raw} AS
           SELECT event_id, region, song_id, played_at, ms_played, source_topic, source_partition, source_offset
           FROM ${readParquetFiles(hour.files)}`
        : `CREATE TEMP TABLE ${raw} (event_id VARCHAR, region VARCHAR, song_id VARCHAR, played_at TIMESTAMPTZ,
             ms_played INTEGER, source_topic VARCHAR, source_partition INTEGER, source_offset BIGINT)`,
    );
    // The lake counts' rows, in the same read as the chart (GET /v1/pipeline).
    rows.push(
      (
        await connection.runAndReadAll(`
          SELECT region, count(*)::BIGINT AS rows, max(played_at) AS newest FROM ${raw}
          WHERE ${inWindow('played_at', input.window)} GROUP BY region ORDER BY region`)
      )
        .getRowObjectsJS()
        .map((row) => ({
          region: String(row.region),
          rows: Number(row.rows),
          newest_play_at: row.newest instanceof Date ? row.newest : undefined,
        })),
    );
    // The new files' rows; the seen part's rows are first deliveries already, but for the events a new row
    // shares a fingerprint with: those are deduplicated with the new rows (a new file may hold an earlier one).
    await connection.run(`
      CREATE TEMP TABLE ${candidates} AS
      SELECT md5_number_lower(p.event_id) AS fingerprint, p.event_id, p.region, p.song_id, ${genre} AS genre,
             p.played_at, p.ms_played, p.source_topic, p.source_partition, p.source_offset
      FROM ${raw} p ${songs}`);
    const seen = hour.partial ? `read_parquet(${sqlString(hour.partial.keys)})` : undefined;
    if (seen) {
      const mixed = table('mixed', index);
      await connection.run(`
        CREATE TEMP TABLE ${mixed} AS
        SELECT * FROM ${candidates}
        UNION ALL
        SELECT ${KEY_COLUMNS} FROM ${seen} WHERE fingerprint IN (SELECT fingerprint FROM ${candidates})`);
      await connection.run(`
        CREATE TEMP TABLE ${first} AS
        SELECT ${KEY_COLUMNS} FROM ${seen} WHERE fingerprint NOT IN (SELECT fingerprint FROM ${candidates})
        UNION ALL SELECT * FROM (${firstOfEachEvent(mixed)})`);
      await connection.run(`DROP TABLE ${mixed}`);
    } else {
      await connection.run(`CREATE TEMP TABLE ${first} AS ${firstOfEachEvent(candidates)}`);
    }
    // To look up among the rollups: the new rows' fingerprints, and the seen part's unless it has a probe of them.
    lookups.push(
      `SELECT fingerprint FROM ${candidates}`,
      ...(seen && hour.partial?.probed === undefined ? [`SELECT fingerprint FROM ${seen}`] : []),
    );
    firsts.push(first);
  }
  // Across the hours read whole, an event_id delivered into two of them counts once too.
  const all = `${tables.scratch}_all`;
  if (firsts.length > 1) {
    await connection.run(
      `CREATE TEMP TABLE ${all} AS ${firsts.map((first) => `SELECT * FROM ${first}`).join(' UNION ALL ')}`,
    );
    await connection.run(`CREATE TEMP TABLE ${tables.whole} AS ${firstOfEachEvent(all)}`);
  }
  // The fingerprints to look up among the rollups: those no seen part has looked up already (the new files').
  const lookup = `${tables.scratch}_lookups`;
  await connection.run(`CREATE TEMP TABLE ${lookup} AS ${lookups.join(' UNION ALL ')}`);
  const [count] = (
    await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${lookup}`)
  ).getRowObjectsJS() as { n: number }[];
  const probedFiles = input.hours.flatMap((hour) => (hour.partial?.probed ? [hour.partial.probed] : []));
  const found =
    input.rollupKeys.length > 0 && (count?.n ?? 0) > 0
      ? await rollupRowsOf(connection, input.rollupKeys, `SELECT fingerprint FROM ${lookup}`)
      : [];
  const probes = [
    ...(probedFiles.length > 0
      ? [`SELECT ${KEY_COLUMNS}, true AS from_rollup FROM read_parquet(${sqlList(probedFiles)})`]
      : []),
    ...found,
    `SELECT ${KEY_COLUMNS}, true AS from_rollup FROM ${tables.whole} WHERE false`,
  ];
  // UNION, not UNION ALL: a fingerprint looked up again (a seen event delivered anew) gives the same rows.
  await connection.run(`CREATE TEMP TABLE ${tables.probed} AS ${probes.join(' UNION ')}`);
  // Each hour's seen part for the next run: its first deliveries now, and the rollups' rows that share them.
  const copy = async (sql: string, name: string) => {
    const file = join(dir, name);
    await connection.run(`COPY (${sql}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
    return new Uint8Array(await readFile(file));
  };
  const result = [];
  for (const [index, hour] of input.hours.entries()) {
    const first = firsts[index]!;
    result.push({
      rows: rows[index]!,
      ...(hour.keep
        ? {
            partial: {
              keys: await copy(`SELECT * FROM ${first}`, `keys-${index}.parquet`),
              probed: await copy(
                `SELECT ${KEY_COLUMNS} FROM ${tables.probed} WHERE fingerprint IN (SELECT fingerprint FROM ${first})`,
                `probed-${index}.parquet`,
              ),
            },
          }
        : {}),
    });
  }
  for (const index of input.hours.keys()) {
    await connection.run(`DROP TABLE ${table('raw', index)}; DROP TABLE ${table('candidates', index)}`);
  }
  if (firsts.length > 1) {
    for (const first of firsts) await connection.run(`DROP TABLE ${first}`);
    await connection.run(`DROP TABLE ${all}`);
  }
  await connection.run(`DROP TABLE ${lookup}`);
  return result;
}

/**
 * The rollups' key rows of the fingerprints `fingerprints` (a query) selects, as one query per keys file that
 * holds some. Two steps: which file holds which of them (a scan of the fingerprint column alone), then each such
 * file's rows by a list of its own constants. A keys file is sorted by fingerprint, so DuckDB's zone maps skip
 * every row group of that file but those whose range holds one of its constants: a minute's dozen fingerprints
 * decode a few row groups. One list for all the files (each file spans the whole 64-bit range) skipped none,
 * decoding every column of the day's 9.5 M keys: 0.5–1.5 s instead of 0.02–0.2 s (docs/benchmarks.md).
 */
async function rollupRowsOf(
  connection: DuckDBConnection,
  keysFiles: readonly string[],
  fingerprints: string,
): Promise<string[]> {
  // DuckDB's filename: the path as it was given, read again as it names it.
  const found = (
    await connection.runAndReadAll(`
      SELECT DISTINCT filename, fingerprint FROM read_parquet(${sqlList(keysFiles)}, filename = true)
      WHERE fingerprint IN (${fingerprints})`)
  ).getRowObjectsJS();
  return [...Map.groupBy(found, (row) => String(row.filename))].map(
    ([file, rows]) =>
      `SELECT ${KEY_COLUMNS}, true AS from_rollup FROM read_parquet(${sqlString(file)})
       WHERE fingerprint IN (${rows.map((row) => `${String(row.fingerprint)}::UBIGINT`).join(', ')})`,
  );
}
