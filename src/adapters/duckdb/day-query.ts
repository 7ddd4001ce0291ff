import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIN_MS_PLAYED } from '../../domain/charts.ts';
import { GLOBAL_REGION } from '../../domain/regions.ts';
import type { TallyDay } from '../../ports/rollup-engine.ts';
import { withScratchDir } from '../scratch-dir.ts';
import { inWindow, rankedCharts, readTallies } from './chart-query.ts';
import { sqlList, sqlString, withDuckDb } from './duckdb.ts';
import { KEY_COLUMNS, loadWholeHours } from './whole-hours.ts';

const ROW_COLUMNS = `event_id, region, song_id, genre, played_at, ms_played, source_topic, source_partition,
                     source_offset`;
/** The keys' columns (src/domain/rollups.ts): also those of a rollups' crossers file, with from_rollup. */
const KEY_SCHEMA = `fingerprint UBIGINT, event_id VARCHAR, region VARCHAR, song_id VARCHAR, genre VARCHAR,
                    played_at TIMESTAMPTZ, ms_played INTEGER, source_topic VARCHAR, source_partition INTEGER,
                    source_offset BIGINT`;
const FIRST_OF_EVENT = 'PARTITION BY event_id ORDER BY source_topic, source_partition, source_offset';

/**
 * The day's charts from its hours' rollups and the rows of the hours read whole, by the chart rules over the whole
 * day (docs/contracts.md, "Hour rollups"). Each source (a rollup, or the hours read whole together) holds an
 * event_id at most once; an event_id in two sources is a "crosser", and the sum of the rollups' counts is exact
 * once each crosser's count in every rollup is taken back and its first delivery of the day, if eligible, counted
 * once. Crossers are found by the fingerprints (one 64-bit column of every rollup), then confirmed by the ids
 * themselves, so a collision of fingerprints costs a look at those rows and nothing else: those among the rollups
 * by grouping all their fingerprints, once per set of rollups (the caller keeps the result, `rollupCrossers`);
 * those between the rollups and the hours read whole by probing the rollups' fingerprints with the latter's
 * (loadWholeHours: only with the fingerprints of files no seen part holds).
 */
export const tallyDayFromRollups: TallyDay = async (input) =>
  withScratchDir(async (dir) =>
    withDuckDb(async (connection) => {
      const id = `${process.pid}_${Math.random().toString(36).slice(2)}`;
      const [whole, crossers, probed] = [`day_whole_${id}`, `day_crossers_${id}`, `day_probed_${id}`];
      const keys = input.rollups.length
        ? `read_parquet(${sqlList(input.rollups.map((rollup) => rollup.keys))})`
        : `(SELECT * FROM ${whole} WHERE false)`;
      // The rollups' counts summed: kept from an earlier run of the same rollups, or summed now (once per set).
      let rollupSums: Uint8Array | undefined;
      let sums = input.rollupSums;
      if (sums === undefined && input.rollups.length > 0) {
        sums = join(dir, 'sums.parquet');
        await connection.run(
          `COPY (SELECT region, genre, song_id, sum(plays)::BIGINT AS plays
                 FROM read_parquet(${sqlList(input.rollups.map((rollup) => rollup.counts))}) GROUP BY ALL ORDER BY ALL)
           TO ${sqlString(sums)} (FORMAT parquet, COMPRESSION zstd)`,
        );
        rollupSums = new Uint8Array(await readFile(sums));
      }
      const counts =
        sums !== undefined
          ? `(SELECT region, genre, song_id, plays FROM read_parquet(${sqlString(sums)}))`
          : '(SELECT NULL::VARCHAR AS region, NULL::VARCHAR AS genre, NULL::VARCHAR AS song_id, 0 AS plays WHERE false)';
      const eligible = `${inWindow('played_at', input.window)} AND ms_played >= ${MIN_MS_PLAYED}`;
      // The candidates' rows, by a list of constants: DuckDB filters the scan by it and decodes the other
      // columns only where it matches (a join would decode every row of the day's keys first).
      const rowsOf = (source: string, fromRollup: boolean, fingerprints: readonly string[]) =>
        `SELECT fingerprint, ${ROW_COLUMNS}, ${fromRollup} AS from_rollup FROM ${source}
         WHERE fingerprint IN (${fingerprints.map((fingerprint) => `${fingerprint}::UBIGINT`).join(', ')})`;
      const candidatesOf = async (sql: string) =>
        (await connection.runAndReadAll(sql)).getRowObjectsJS().map((row) => String(row.fingerprint));
      let wholeHours: Awaited<ReturnType<typeof loadWholeHours>> = [];
      try {
        if (input.whole.length > 0) {
          wholeHours = await loadWholeHours(
            connection,
            {
              hours: input.whole,
              catalog: input.catalog,
              window: input.window,
              rollupKeys: input.rollups.map((rollup) => rollup.keys),
            },
            { whole, probed, scratch: `day_hours_${id}` },
            dir,
          );
        } else {
          await connection.run(`CREATE TEMP TABLE ${whole} (${KEY_SCHEMA})`);
          await connection.run(`CREATE TEMP TABLE ${probed} (${KEY_SCHEMA}, from_rollup BOOLEAN)`);
        }
        await connection.run(`CREATE TEMP TABLE ${crossers} (${KEY_SCHEMA}, from_rollup BOOLEAN)`);
        // Events in two rollups or more: kept from an earlier run of the same rollups, or found now by grouping
        // every rollup's fingerprints (once per set of rollups: a new final hour, a rebuilt one).
        let rollupCrossers: Uint8Array | undefined;
        if (input.rollupCrossers !== undefined) {
          await connection.run(
            // Named columns: DuckDB would add the folders' `dt=` as a column of its own.
            `INSERT INTO ${crossers} SELECT fingerprint, ${ROW_COLUMNS}, from_rollup
             FROM read_parquet(${sqlString(input.rollupCrossers)})`,
          );
        } else {
          const found = await candidatesOf(
            `SELECT fingerprint FROM ${keys} GROUP BY fingerprint HAVING count(*) > 1`,
          );
          if (found.length > 0) {
            await connection.run(`
              INSERT INTO ${crossers}
              SELECT * FROM (${rowsOf(keys, true, found)}) QUALIFY count(*) OVER (PARTITION BY event_id) > 1`);
          }
          const file = join(dir, 'crossers.parquet');
          await connection.run(
            `COPY (SELECT * FROM ${crossers} ORDER BY fingerprint, event_id, source_topic, source_partition, source_offset)
             TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`,
          );
          rollupCrossers = new Uint8Array(await readFile(file));
        }
        // Events of the hours read whole that a rollup holds too: the rollups' rows of the same fingerprints
        // (loadWholeHours), confirmed by their ids.
        await connection.run(`
          INSERT INTO ${crossers}
          SELECT * FROM (
            SELECT * FROM (
              SELECT * FROM ${probed}
              UNION ALL
              SELECT ${KEY_COLUMNS}, false AS from_rollup FROM ${whole}
              WHERE fingerprint IN (SELECT fingerprint FROM ${probed})
            ) QUALIFY count(*) OVER (PARTITION BY event_id) > 1
            EXCEPT SELECT * FROM ${crossers}
          )`);
        const tallies = await readTallies(
          connection,
          `WITH day_first AS (SELECT * FROM ${crossers} QUALIFY row_number() OVER (${FIRST_OF_EVENT}) = 1),
          counted AS (
            SELECT * FROM ${counts}
            UNION ALL
            SELECT region, genre, song_id, count(*) FROM ${whole}
            WHERE ${eligible} AND event_id NOT IN (SELECT event_id FROM ${crossers}) GROUP BY ALL
            UNION ALL
            SELECT region, genre, song_id, -count(*) FROM ${crossers} WHERE from_rollup AND ${eligible} GROUP BY ALL
            UNION ALL
            SELECT region, genre, song_id, count(*) FROM day_first WHERE ${eligible} GROUP BY ALL
          ),
          songs AS (SELECT region, genre, song_id, sum(plays) AS plays FROM counted GROUP BY ALL),
          counts AS (
            SELECT CASE WHEN grouping(region) = 1 THEN ${sqlString(GLOBAL_REGION)} ELSE region END AS chart_region,
                   CASE WHEN grouping(genre) = 0 THEN genre END AS chart_genre, song_id, sum(plays) AS plays
            FROM songs
            GROUP BY GROUPING SETS ((region, song_id), (song_id), (genre, region, song_id), (genre, song_id))
            -- A song the catalog does not know is in no genre's chart; a song whose plays were all taken back, in none.
            HAVING sum(plays) > 0 AND (grouping(genre) = 1 OR genre IS NOT NULL)
          )
          ${rankedCharts('counts')}`,
        );
        // The crossers' later first deliveries: counted by their sources as first deliveries, by the day as duplicates.
        const later = (
          await connection.runAndReadAll(`
            SELECT region, count(*)::INTEGER AS duplicates,
                   (count(*) FILTER (WHERE ms_played < ${MIN_MS_PLAYED}))::INTEGER AS short_plays
            FROM (SELECT * FROM ${crossers} QUALIFY row_number() OVER (${FIRST_OF_EVENT}) > 1)
            WHERE ${inWindow('played_at', input.window)}
            GROUP BY region ORDER BY region`)
        ).getRowObjectsJS() as { region: string; duplicates: number; short_plays: number }[];
        const firsts = (
          await connection.runAndReadAll(`
            SELECT region, count(*)::INTEGER AS firsts,
                   (count(*) FILTER (WHERE ms_played < ${MIN_MS_PLAYED}))::INTEGER AS short_plays
            FROM ${whole} WHERE ${inWindow('played_at', input.window)}
            GROUP BY region ORDER BY region`)
        ).getRowObjectsJS() as { region: string; firsts: number; short_plays: number }[];
        const [events] = (
          await connection.runAndReadAll(`SELECT count(DISTINCT event_id)::INTEGER AS n FROM ${crossers}`)
        ).getRowObjectsJS() as { n: number }[];
        return {
          tallies,
          laterDeliveries: later,
          crossers: events?.n ?? 0,
          wholeFirsts: firsts,
          wholeHours,
          ...(rollupCrossers ? { rollupCrossers } : {}),
          ...(rollupSums ? { rollupSums } : {}),
        };
      } finally {
        await connection.run(
          `DROP TABLE IF EXISTS ${whole}; DROP TABLE IF EXISTS ${crossers}; DROP TABLE IF EXISTS ${probed}`,
        );
      }
    }),
  );
