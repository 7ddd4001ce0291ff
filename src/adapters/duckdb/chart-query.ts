import type { DuckDBConnection } from '@duckdb/node-api';
import {
  CHART_SIZE,
  type ChartEntry,
  type ChartWindow,
  MIN_MS_PLAYED,
  type RegionTally,
} from '../../domain/charts.ts';
import { GLOBAL_REGION } from '../../domain/regions.ts';
import { readParquetFiles, sqlString, withDuckDb } from './duckdb.ts';
import { firstDeliveries } from './first-deliveries.ts';

/** Where the query finds a play's genre, for the genre charts; with neither, it computes none. */
export interface TallyOptions {
  /** Some of the files are enriched (docs/contracts.md, "Enriched plays"): their `genre` column has it. */
  readonly enriched?: boolean;
  /** A local copy of the catalog: the genre of the plays read raw. */
  readonly catalog?: string | undefined;
}

/**
 * The chart rules as one query over the window's Parquet files (raw plays, enriched ones, or both):
 * each event_id once (its first delivery), only plays of at least MIN_MS_PLAYED inside the window,
 * ranked by plays descending then song_id ascending, per region and over all regions (`global`), and the
 * same per genre when the options say where genres are. Returns only charts that have eligible plays.
 */
export async function tallyTopSongs(
  files: readonly string[],
  window: ChartWindow,
  options: TallyOptions = {},
): Promise<RegionTally[]> {
  if (files.length === 0) return [];
  const plays = firstDeliveries({
    from: readParquetFiles(files, { mixedSchemas: options.enriched }),
    columns: `event_id, song_id, region, played_at, ms_played, source_topic, source_partition, source_offset
              ${options.enriched ? ', genre' : ''}`,
  });
  return withDuckDb(async (connection) => readTallies(connection, chartsSql(plays, window, options)));
}

/**
 * The chart rules' query over `plays`, a relation of each event_id's first delivery (region, song_id, played_at,
 * ms_played, and genre if enriched): ends in rankedCharts, for readTallies.
 */
export function chartsSql(plays: string, window: ChartWindow, options: TallyOptions): string {
  const withGenres = options.enriched === true || options.catalog !== undefined;
  const { genre, songs } = genreOf(options);
  const sets = withGenres
    ? '(region, song_id), (song_id), (genre, region, song_id), (genre, song_id)'
    : '(region, song_id), (song_id)';
  return `
    WITH plays AS (${plays}),
    eligible AS (
      SELECT p.region, p.song_id, ${genre} AS genre FROM plays p ${songs}
      WHERE ${inWindow('p.played_at', window)} AND p.ms_played >= ${MIN_MS_PLAYED}
    ),
    counts AS (
      SELECT CASE WHEN grouping(region) = 1 THEN ${sqlString(GLOBAL_REGION)} ELSE region END AS chart_region,
             ${withGenres ? 'CASE WHEN grouping(genre) = 0 THEN genre END' : 'NULL::VARCHAR'} AS chart_genre,
             song_id, count(*) AS plays
      FROM eligible
      GROUP BY GROUPING SETS (${sets})
      -- A song the catalog does not know is in no genre's chart.
      ${withGenres ? 'HAVING grouping(genre) = 1 OR genre IS NOT NULL' : ''}
    )
    ${rankedCharts('counts')}`;
}

/**
 * Where a play's genre comes from (for the genre charts): the enriched column, the catalog joined by song_id,
 * the first then the second, or nowhere (NULL). `songs` is the join, on a play table aliased `p`.
 */
export function genreOf(options: TallyOptions): { genre: string; songs: string } {
  const genre =
    options.catalog === undefined
      ? options.enriched
        ? 'p.genre'
        : 'NULL::VARCHAR'
      : options.enriched
        ? 'coalesce(p.genre, s.genre)'
        : 's.genre';
  // One row per song_id, so that a play never joins twice.
  const songs = options.catalog
    ? `LEFT JOIN (SELECT song_id, genre FROM read_parquet(${sqlString(options.catalog)})
         QUALIFY row_number() OVER (PARTITION BY song_id ORDER BY genre) = 1) s ON s.song_id = p.song_id`
    : '';
  return { genre, songs };
}

/** `column` within the window, `[start, end)`. */
export function inWindow(column: string, window: ChartWindow): string {
  return `${column} >= ${sqlString(window.start.toISOString())}::TIMESTAMPTZ
        AND ${column} < ${sqlString(window.end.toISOString())}::TIMESTAMPTZ`;
}

/**
 * The top CHART_SIZE of each chart from a relation of (chart_genre, chart_region, song_id, plays), one row per
 * song of a chart: plays descending, then song_id ascending, with the chart's eligible plays.
 */
export function rankedCharts(counts: string): string {
  return `,
    ranked AS (
      SELECT chart_genre, chart_region, song_id, plays,
             row_number() OVER (PARTITION BY chart_genre, chart_region ORDER BY plays DESC, song_id ASC) AS rank,
             sum(plays) OVER (PARTITION BY chart_genre, chart_region) AS eligible_plays
      FROM ${counts}
    )
    SELECT chart_genre, chart_region, song_id, plays::BIGINT AS plays, rank::BIGINT AS rank,
           eligible_plays::BIGINT AS eligible_plays
    FROM ranked WHERE rank <= ${CHART_SIZE}
    ORDER BY chart_genre NULLS FIRST, chart_region, rank`;
}

/** Runs a query ending in rankedCharts and returns its charts, in its order. */
export async function readTallies(connection: DuckDBConnection, sql: string): Promise<RegionTally[]> {
  const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS();
  const charts = new Map<
    string,
    { region: string; genre?: string; eligible_plays: number; entries: ChartEntry[] }
  >();
  for (const row of rows) {
    const region = String(row.chart_region);
    const genre = row.chart_genre === null ? undefined : String(row.chart_genre);
    const key = `${genre ?? ''}\u0000${region}`;
    const tally = charts.get(key) ?? {
      region,
      ...(genre === undefined ? {} : { genre }),
      eligible_plays: Number(row.eligible_plays),
      entries: [],
    };
    tally.entries.push({ rank: Number(row.rank), song_id: String(row.song_id), plays: Number(row.plays) });
    charts.set(key, tally);
  }
  return [...charts.values()];
}
