import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

let instance: Promise<DuckDBInstance> | undefined;

/**
 * DuckDB's settings. Its external file cache is off: it keeps the bytes of every file a query read, until
 * memory_limit (80% of the machine), and every chart job reads a window's files once, newly written ones or
 * fresh local copies of S3 objects, so the cache only grew: the soak benchmark saw `npm start` climb from
 * 0.4 to 2.7 GB in 30 minutes (docs/benchmarks.md, "Soak").
 */
const duckDbSettings = { threads: '2', enable_external_file_cache: 'false' } as const;

/** One in-memory DuckDB per process; each caller gets its own connection. */
export async function withDuckDb<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  instance ??= DuckDBInstance.create(':memory:', duckDbSettings);
  const connection = await (await instance).connect();
  try {
    return await work(connection);
  } finally {
    connection.closeSync();
  }
}

/** A private scratch folder, removed afterwards. */
export async function withScratchDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'top-songs-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** SQL string literal. DuckDB takes file lists as literals, not parameters. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function sqlList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(', ')}]`;
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
