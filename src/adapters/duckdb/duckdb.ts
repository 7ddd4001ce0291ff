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

/** What this process's DuckDB may use: most of the function's memory, a folder to spill the rest to, threads. */
export interface DuckDbResources {
  /** DuckDB's `memory_limit`, in MB (10^6 bytes, DuckDB's unit). */
  readonly memoryLimitMb: number;
  /** DuckDB's `temp_directory`: where a query larger than the limit spills (Lambda: /tmp). */
  readonly tempDirectory: string;
  /** DuckDB's `threads`: 2 (a Lambda function of 1–3.5 GB has 1–2 vCPUs), or HOUR_REWRITE_THREADS. */
  readonly threads: number;
}

/**
 * The threads of a function that rewrites a whole hour sorted (compaction, enrichment). Each of DuckDB's threads
 * sorts and encodes its own share of the hour with its own buffers: enriching an hour of 720,000 plays in 8,000
 * files peaked at 559 MB with two threads and 400 MB with one (compacting it: 393 and 362 MB), at 1.8× the time of
 * work that runs in the background, and leaves the other core to the runtime (docs/benchmarks.md, "An hour's
 * close"). The chart query, which tallies without sorting, gained nothing from one thread: chart jobs keep two.
 */
export const HOUR_REWRITE_THREADS = 1;

/**
 * Rows per row group of an hour's rewritten files. DuckDB's writer holds a row group's every column until it
 * compresses it: its default, 122,880 rows, is ~25 MB of plays a thread; 32,768 took 40–60 MB off an hour's
 * rewrite, its files 1% larger and charted as fast.
 */
export const HOUR_FILE_ROW_GROUP_ROWS = 32_768;

/**
 * The share of a function's memory DuckDB may take: the rest is Node's (heap, the AWS SDK, the pg pool, the
 * Parquet bytes of the lake-writer or of an S3 download), about 150–300 MB in practice. Without a limit
 * DuckDB assumes 80% of the machine's memory, which in Lambda is the function's memory: a 10 M-play day
 * peaked at 1.68 GB in a 2,048 MB function, on the edge of being killed (docs/decisions.md, "DuckDB's
 * memory limit from the function's memory").
 */
export const DUCKDB_MEMORY_SHARE = 0.7;

export function duckDbResourcesFor(
  functionMemoryMb: number,
  {
    tempRoot = tmpdir(),
    threads = Number(duckDbSettings.threads),
  }: { tempRoot?: string; threads?: number } = {},
): DuckDbResources {
  return {
    memoryLimitMb: Math.floor(functionMemoryMb * DUCKDB_MEMORY_SHARE),
    tempDirectory: join(tempRoot, 'top-songs-duckdb-spill'),
    threads,
  };
}

let resources: DuckDbResources | undefined;
let appliedResources: DuckDbResources | undefined;
let appliedThreads = Number(duckDbSettings.threads);

/**
 * Sets DuckDB's memory limit, spill folder and threads for this process, from the function's. In Lambda a process
 * runs one function; a process that runs several (`npm run invoke`, tests) keeps the largest of the limits its
 * functions ask for (the daily chart's, not whichever ran last) and the threads of the last.
 */
export function configureDuckDb(requested: DuckDbResources): void {
  resources =
    resources && resources.memoryLimitMb >= requested.memoryLimitMb
      ? { ...resources, threads: requested.threads }
      : requested;
}

/**
 * One in-memory DuckDB per process; each caller gets its own connection. `threads`: this work's own (an hour's
 * rewrite inside a job that otherwise runs on the function's), applied for it and set back by the next call; DuckDB's
 * threads are the whole process's, which suits a job process, where one query runs at a time.
 */
export async function withDuckDb<T>(
  work: (connection: DuckDBConnection) => Promise<T>,
  options: { readonly threads?: number } = {},
): Promise<T> {
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
    const threads = options.threads ?? wanted?.threads ?? Number(duckDbSettings.threads);
    if (threads !== appliedThreads) {
      await connection.run(`SET GLOBAL threads = ${threads}`);
      appliedThreads = threads;
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
