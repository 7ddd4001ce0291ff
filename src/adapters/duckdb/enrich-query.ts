import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIN_MS_PLAYED } from '../../domain/charts.ts';
import { withScratchDir } from '../scratch-dir.ts';
import { HOUR_FILE_ROW_GROUP_ROWS, readParquetFiles, sqlList, sqlString, withDuckDb } from './duckdb.ts';
import { firstDeliveries } from './first-deliveries.ts';

export interface EnrichHourFiles {
  /** Local copies of the hour's plays files (at least one). */
  readonly plays: readonly string[];
  /** A local copy of the catalog, or undefined when the lake has none (the song columns are then null). */
  readonly catalog: string | undefined;
  readonly catalogVersion: string | null;
  /** Region → IANA time zone, for `local_hour`. */
  readonly timeZones: Readonly<Record<string, string>>;
}

/** The catalog's columns an enriched play carries. A catalog written before `language` existed reads it as null. */
const SONG_COLUMNS = ['title', 'artist', 'genre', 'language'] as const;

/**
 * One hour's enriched plays as one Parquet file (ZSTD), in one DuckDB statement: every event_id once (its first
 * delivery, as the chart query picks it), the 30 s rule as `counted` (short plays are kept, flagged), the
 * catalog's song columns (null for a song it does not know), the listener's local hour and the catalog version.
 * Sorted by played_at, then event_id.
 */
export async function enrichHourFiles(
  input: EnrichHourFiles,
): Promise<{ bytes: Uint8Array; rows: number; counted: number }> {
  return withScratchDir((dir) => writeEnrichedFile(input, join(dir, 'enriched.parquet')));
}

async function writeEnrichedFile(input: EnrichHourFiles, out: string) {
  return withDuckDb(async (connection) => {
    const songs = `songs_${process.pid}_${Math.random().toString(36).slice(2)}`;
    await connection.run(
      `CREATE TEMP TABLE ${songs} (song_id VARCHAR, ${SONG_COLUMNS.map((c) => `${c} VARCHAR`).join(', ')})`,
    );
    try {
      if (input.catalog) {
        const wanted = sqlList(['song_id', ...SONG_COLUMNS]);
        // BY NAME: a column the file lacks stays null. One row per song_id, so a play never joins twice.
        await connection.run(
          `INSERT INTO ${songs} BY NAME
           SELECT COLUMNS(c -> list_contains(${wanted}, c)) FROM read_parquet(${sqlString(input.catalog)})
           QUALIFY row_number() OVER (PARTITION BY song_id ORDER BY title, artist) = 1`,
        );
      }
      const zones = Object.entries(input.timeZones);
      const localHour =
        zones.length === 0
          ? 'NULL'
          : `CASE p.region ${zones
              .map(
                ([region, zone]) =>
                  `WHEN ${sqlString(region)} THEN hour(timezone(${sqlString(zone)}, p.played_at))`,
              )
              .join(' ')} END`;
      const version = input.catalogVersion === null ? 'NULL' : sqlString(input.catalogVersion);
      await connection.run(`
        COPY (
          WITH plays AS (${firstDeliveries({
            from: readParquetFiles(input.plays),
            columns: `event_id, user_id, song_id, region, played_at, ms_played, device, session_id,
                      source_topic, source_partition, source_offset`,
          })})
          SELECT p.event_id, p.user_id, p.song_id, p.region, p.played_at, p.ms_played, p.device, p.session_id,
                 p.source_topic, p.source_partition, p.source_offset,
                 s.title, s.artist, s.genre, s.language,
                 p.ms_played >= ${MIN_MS_PLAYED} AS counted,
                 CAST(${localHour} AS TINYINT) AS local_hour,
                 CAST(${version} AS VARCHAR) AS catalog_version
          FROM plays p LEFT JOIN ${songs} s ON s.song_id = p.song_id
          ORDER BY p.played_at, p.event_id
        ) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${HOUR_FILE_ROW_GROUP_ROWS})`);
      const [row] = (
        await connection.runAndReadAll(
          `SELECT count(*)::INTEGER AS rows, (count(*) FILTER (WHERE counted))::INTEGER AS counted
           FROM read_parquet(${sqlString(out)})`,
        )
      ).getRowObjectsJS() as { rows: number; counted: number }[];
      return { bytes: new Uint8Array(await readFile(out)), rows: row?.rows ?? 0, counted: row?.counted ?? 0 };
    } finally {
      await connection.run(`DROP TABLE IF EXISTS ${songs}`);
    }
  });
}
