import { type DuckDBConnection, DuckDBTimestampTZValue } from '@duckdb/node-api';
import { type LakePlayRow, lakePlayColumns } from '../../domain/lake-row.ts';
import { type PlayColumns, playRowsOf } from '../../domain/play-columns.ts';
import { tableToParquetBytes, withDuckDb } from './duckdb.ts';

const columnList = lakePlayColumns.map(([name, type]) => `${name} ${type}`).join(', ');

/** Encodes rows as a `plays/` Parquet file (ZSTD), with the lake's exact column types. */
export async function encodePlaysParquet(rows: readonly LakePlayRow[]): Promise<Uint8Array> {
  return withDuckDb(async (connection) => {
    const table = `plays_${process.pid}_${Math.random().toString(36).slice(2)}`;
    try {
      // Sorted by time, as readers scanning an hour prefer; the table is written as is.
      const sorted = [...rows].sort(
        (a, b) => a.played_at.localeCompare(b.played_at) || a.event_id.localeCompare(b.event_id),
      );
      await createPlaysTable(connection, table, sorted, { temporary: true });
      return await tableToParquetBytes(connection, table);
    } finally {
      await connection.run(`DROP TABLE IF EXISTS ${table}`);
    }
  });
}

/** encodePlaysParquet as the lake-writer's encodePlays port takes its plays: as columns. */
export const encodePlayColumnsParquet = (plays: PlayColumns): Promise<Uint8Array> =>
  encodePlaysParquet(playRowsOf(plays));

/** Creates `table` with the lake's play columns and appends the rows, in the order given. */
export async function createPlaysTable(
  connection: DuckDBConnection,
  table: string,
  rows: readonly LakePlayRow[],
  options: { readonly temporary: boolean },
): Promise<void> {
  await connection.run(`CREATE ${options.temporary ? 'TEMP ' : ''}TABLE ${table} (${columnList})`);
  const appender = await connection.createAppender(table);
  for (const row of rows) {
    appender.appendVarchar(row.event_id);
    appender.appendVarchar(row.user_id);
    appender.appendVarchar(row.song_id);
    appender.appendVarchar(row.region);
    appender.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(Date.parse(row.played_at)) * 1000n));
    appender.appendInteger(row.ms_played);
    appendOptional(appender, row.device);
    appendOptional(appender, row.session_id);
    appender.appendVarchar(row.source_topic);
    appender.appendInteger(row.source_partition);
    appender.appendBigInt(BigInt(row.source_offset));
    appender.endRow();
  }
  appender.closeSync();
}

function appendOptional(appender: { appendVarchar(v: string): void; appendNull(): void }, value?: string) {
  if (value === undefined) appender.appendNull();
  else appender.appendVarchar(value);
}
