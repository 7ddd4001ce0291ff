import { MIN_MS_PLAYED } from '../../domain/charts.ts';
import { GLOBAL_REGION } from '../../domain/regions.ts';
import type { TallyDay } from '../../ports/rollup-engine.ts';
import { inWindow, rankedCharts, readTallies } from './chart-query.ts';
import { sqlList, sqlString, withDuckDb } from './duckdb.ts';
import { firstDeliveriesSql } from './hour-rollup.ts';

const ROW_COLUMNS = `event_id, region, song_id, genre, played_at, ms_played, source_topic, source_partition,
                     source_offset`;
const FIRST_OF_EVENT = 'PARTITION BY event_id ORDER BY source_topic, source_partition, source_offset';

/**
 * The day's charts from its hours' rollups and the rows of the hours read whole, by the chart rules over the whole
 * day (docs/contracts.md, "Hour rollups"). Each source (a rollup, or the hours read whole together) holds an
 * event_id at most once; an event_id in two sources is a "crosser", and the sum of the rollups' counts is exact
 * once each crosser's count in every rollup is taken back and its first delivery of the day, if eligible, counted
 * once. Crossers are found by the fingerprints (one 64-bit column of every rollup), then confirmed by the ids
 * themselves, so a collision of fingerprints costs a look at those rows and nothing else.
 */
export const tallyDayFromRollups: TallyDay = async (input) =>
  withDuckDb(async (connection) => {
    const id = `${process.pid}_${Math.random().toString(36).slice(2)}`;
    const [whole, candidates, crossers] = [`day_whole_${id}`, `day_candidates_${id}`, `day_crossers_${id}`];
    const keys = input.rollups.length
      ? `read_parquet(${sqlList(input.rollups.map((rollup) => rollup.keys))})`
      : `(SELECT * FROM ${whole} WHERE false)`;
    const counts = input.rollups.length
      ? `(SELECT region, genre, song_id, plays FROM read_parquet(${sqlList(input.rollups.map((rollup) => rollup.counts))}))`
      : '(SELECT NULL::VARCHAR AS region, NULL::VARCHAR AS genre, NULL::VARCHAR AS song_id, 0 AS plays WHERE false)';
    const eligible = `${inWindow('played_at', input.window)} AND ms_played >= ${MIN_MS_PLAYED}`;
    try {
      await connection.run(
        input.whole.length > 0
          ? `CREATE TEMP TABLE ${whole} AS ${firstDeliveriesSql(input.whole, input.wholeOptions)}`
          : `CREATE TEMP TABLE ${whole} (fingerprint UBIGINT, event_id VARCHAR, region VARCHAR, song_id VARCHAR,
               genre VARCHAR, played_at TIMESTAMPTZ, ms_played INTEGER, source_topic VARCHAR,
               source_partition INTEGER, source_offset BIGINT)`,
      );
      await connection.run(`
        CREATE TEMP TABLE ${candidates} AS
        SELECT fingerprint FROM (SELECT fingerprint FROM ${keys} UNION ALL SELECT fingerprint FROM ${whole})
        GROUP BY fingerprint HAVING count(*) > 1`);
      await connection.run(
        `CREATE TEMP TABLE ${crossers} (${'event_id VARCHAR, region VARCHAR, song_id VARCHAR, genre VARCHAR, played_at TIMESTAMPTZ, ms_played INTEGER, source_topic VARCHAR, source_partition INTEGER, source_offset BIGINT, from_rollup BOOLEAN'})`,
      );
      const [found] = (
        await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${candidates}`)
      ).getRowObjectsJS() as { n: number }[];
      // Nearly always none: the keys are read once, for their fingerprints only.
      if ((found?.n ?? 0) > 0) {
        await connection.run(`
          INSERT INTO ${crossers}
          SELECT * FROM (
            SELECT ${ROW_COLUMNS}, true AS from_rollup FROM ${keys}
            WHERE fingerprint IN (SELECT fingerprint FROM ${candidates})
            UNION ALL
            SELECT ${ROW_COLUMNS}, false AS from_rollup FROM ${whole}
            WHERE fingerprint IN (SELECT fingerprint FROM ${candidates})
          ) QUALIFY count(*) OVER (PARTITION BY event_id) > 1`);
      }
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
      const [events] = (
        await connection.runAndReadAll(`SELECT count(DISTINCT event_id)::INTEGER AS n FROM ${crossers}`)
      ).getRowObjectsJS() as { n: number }[];
      return { tallies, laterDeliveries: later, crossers: events?.n ?? 0 };
    } finally {
      await connection.run(
        `DROP TABLE IF EXISTS ${whole}; DROP TABLE IF EXISTS ${candidates}; DROP TABLE IF EXISTS ${crossers}`,
      );
    }
  });
