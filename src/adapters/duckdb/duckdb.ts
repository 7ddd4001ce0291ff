import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { withScratchDir } from '../scratch-dir.ts';

let instance: Promise<DuckDBInstance> | undefined;

/**
 * DuckDB's settings. Its external file cache is off: it keeps the bytes of every file a query read, until
 * memory_limit (80% of the machine), and every chart job reads a window's files once, newly written ones or
 * fresh local copies of S3 objects, so the cache only grew: the soak benchmark saw `npm start` climb from
 * 0.4 to 2.7 GB in 30 minutes (docs/benchmarks.md, "Soak").
 */
const duckDbSettings = { threads: '2', enable_external_file_cache: 'false' } as const;

/** What this process's DuckDB may use: most of the function's memory, and a folder to spill the rest to. */
export interface DuckDbResources {
  /** DuckDB's `memory_limit`, in MB (10^6 bytes, DuckDB's unit). */
  readonly memoryLimitMb: number;
  /** DuckDB's `temp_directory`: where a query larger than the limit spills (Lambda: /tmp). */
  readonly tempDirectory: string;
}

/**
 * The share of a function's memory DuckDB may take: the rest is Node's (heap, the AWS SDK, the pg pool, the
 * Parquet bytes of the lake-writer or of an S3 download), about 150–300 MB in practice. Without a limit
 * DuckDB assumes 80% of the machine's memory, which in Lambda is the function's memory: a 10 M-play day
 * peaked at 1.68 GB in a 2,048 MB function, on the edge of being killed (docs/decisions.md, "DuckDB's
 * memory limit from the function's memory").
 */
export const DUCKDB_MEMORY_SHARE = 0.7;

export function duckDbResourcesFor(functionMemoryMb: number, tempRoot: string = tmpdir()): DuckDbResources {
  return {
    memoryLimitMb: Math.floor(functionMemoryMb * DUCKDB_MEMORY_SHARE),
    tempDirectory: join(tempRoot, 'top-songs-duckdb-spill'),
  };
}

let resources: DuckDbResources | undefined;
let appliedResources: DuckDbResources | undefined;

/**
 * Sets DuckDB's memory limit and spill folder for this process, from the function's memory. In Lambda a
 * process runs one function; the local runtime runs them all in one process with one DuckDB, which then
 * gets the largest of the limits its functions ask for (the daily chart's, not whichever loaded last).
 */
export function configureDuckDb(requested: DuckDbResources): void {
  if (resources && resources.memoryLimitMb >= requested.memoryLimitMb) return;
  resources = requested;
}

/** One in-memory DuckDB per process; each caller gets its own connection. */
export async function withDuckDb<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  instance ??= DuckDBInstance.create(':memory:', duckDbSettings);
  const connection = await (await instance).connect();
  try {
    // Global settings, applied by the first connection after each change (configure may come after the
    // instance was created, e.g. by catalog-sync at the local runtime's start).
    const wanted = resources;
    if (wanted && appliedResources !== wanted) {
      await connection.run(
        `SET GLOBAL memory_limit = '${wanted.memoryLimitMb}MB'; SET GLOBAL temp_directory = ${sqlString(wanted.tempDirectory)}`,
      );
      appliedResources = wanted;
    }
    return await work(connection);
  } finally {
    connection.closeSync();
  }
}

/** SQL string literal. DuckDB takes file lists as literals, not parameters. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function sqlList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(', ')}]`;
}

/**
 * `read_parquet` of lake files. Files of one layout share one schema (docs/contracts.md), so DuckDB matches their
 * columns by name to the first file's, and a file lacking a column the query reads fails it. `mixedSchemas`
 * (enriched files beside raw plays: only the first have `genre`) unions them by name instead, at a cost: DuckDB
 * then opens every file before the scan and holds all their readers to its end, ~19 KB a file (an open hour of
 * 4,000 writer files: +76 MB of a chart job's peak; docs/benchmarks.md, "Chart jobs' peaks").
 */
export function readParquetFiles(
  files: readonly string[],
  options: { readonly mixedSchemas?: boolean | undefined } = {},
): string {
  return `read_parquet(${sqlList(files)}${options.mixedSchemas ? ', union_by_name = true' : ''})`;
}

/** Writes a table as a Parquet file (ZSTD), with key-value metadata if given, and returns the file's bytes. */
export async function tableToParquetBytes(
  connection: DuckDBConnection,
  table: string,
  keyValueMetadata: Readonly<Record<string, string>> = {},
): Promise<Uint8Array> {
  const entries = Object.entries(keyValueMetadata);
  const metadata =
    entries.length > 0
      ? `, KV_METADATA {${entries.map(([key, value]) => `${sqlString(key)}: ${sqlString(value)}`).join(', ')}}`
      : '';
  return withScratchDir(async (dir) => {
    const file = join(dir, 'out.parquet');
    await connection.run(`COPY ${table} TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd${metadata})`);
    return new Uint8Array(await readFile(file));
  });
}
