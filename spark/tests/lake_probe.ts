/**
 * What the TypeScript side sees of a lake folder, for the Spark job's tests: the files the chart job would
 * list (plays/**\/*.parquet), their rows and types through DuckDB, which file holds which offsets, and the
 * Parquet schema.
 *
 *   node spark/tests/lake_probe.ts <lake folder>     → JSON on stdout
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const lake = process.argv[2];
if (!lake) {
  console.error('usage: node spark/tests/lake_probe.ts <lake folder>');
  process.exit(2);
}
const files = readdirSync(join(lake, 'plays'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.parquet'))
  .sort();
const glob = `'${join(lake, 'plays').replaceAll("'", "''")}/**/*.parquet'`;
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const query = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS();
const rows = await query(
  `SELECT event_id, user_id, song_id, region,
          strftime(played_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS played_at,
          ms_played, device, session_id, source_topic, source_partition, source_offset::INTEGER AS source_offset
   FROM read_parquet(${glob}, hive_partitioning = false) ORDER BY source_partition, source_offset`,
);
const plays = `${join(lake, 'plays')}/`;
const fileRows = await query(
  `SELECT substr(filename, ${plays.length + 1}) AS file, source_offset::INTEGER AS source_offset
   FROM read_parquet(${glob}, hive_partitioning = false, filename = true) ORDER BY file, source_offset`,
);
const types = await query(
  `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${glob}, hive_partitioning = false))`,
);
const schema = await query(
  `SELECT DISTINCT name, type, repetition_type, logical_type::VARCHAR AS logical_type
   FROM parquet_schema(${glob}) WHERE num_children IS NULL ORDER BY name`,
);
const codecs = await query(`SELECT DISTINCT compression FROM parquet_metadata(${glob})`);
connection.closeSync();
instance.closeSync();
console.log(JSON.stringify({ files, rows, file_rows: fileRows, types, schema, codecs }, null, 2));
