import { describe, expect, it } from 'vitest';
import {
  configureDuckDb,
  DUCKDB_MEMORY_SHARE,
  duckDbResourcesFor,
  HOUR_REWRITE_THREADS,
  withDuckDb,
} from '../../../src/adapters/duckdb/duckdb.ts';

/** DuckDB reports its memory limit in binary units ("682.8 MiB", "1.3 GiB"): back to bytes. */
function bytes(setting: string): number {
  const match = /^([\d.]+) (KiB|MiB|GiB)$/.exec(setting);
  if (!match) throw new Error(`unexpected memory_limit ${setting}`);
  return Number(match[1]) * { KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 }[match[2] as 'KiB' | 'MiB' | 'GiB'];
}

const current = () =>
  withDuckDb(async (connection) => {
    const [row] = (
      await connection.runAndReadAll(
        `SELECT current_setting('memory_limit') AS memory, current_setting('temp_directory') AS temp,
                current_setting('threads')::INTEGER AS threads`,
      )
    ).getRowObjectsJS() as { memory: string; temp: string; threads: number }[];
    return { memory: bytes(row!.memory), temp: row!.temp, threads: row!.threads };
  });

describe('DuckDB resources from the function memory', () => {
  it('takes a share of the function memory and a spill folder under the temp root', () => {
    expect(duckDbResourcesFor(2048, { tempRoot: '/tmp' })).toEqual({
      memoryLimitMb: Math.floor(2048 * DUCKDB_MEMORY_SHARE),
      tempDirectory: '/tmp/top-songs-duckdb-spill',
      threads: 2,
    });
    expect(duckDbResourcesFor(2048, { threads: HOUR_REWRITE_THREADS }).threads).toBe(1);
  });

  it('applies the limit and the folder to the process DuckDB, even after it was first used', async () => {
    await current(); // the instance exists before configuring, as at the local runtime's start
    configureDuckDb(duckDbResourcesFor(1024, { tempRoot: '/tmp/a' }));
    const first = await current();
    // DuckDB rounds to one decimal of its unit: within 0.1%.
    expect(first.memory / (Math.floor(1024 * DUCKDB_MEMORY_SHARE) * 1e6)).toBeCloseTo(1, 2);
    expect(first.temp).toBe('/tmp/a/top-songs-duckdb-spill');
  });

  it('keeps the largest limit asked for in the process (`npm run invoke` and tests run several functions)', async () => {
    configureDuckDb(duckDbResourcesFor(2048, { tempRoot: '/tmp/b' }));
    configureDuckDb(duckDbResourcesFor(1024, { tempRoot: '/tmp/c' }));
    const settled = await current();
    expect(settled.memory / (Math.floor(2048 * DUCKDB_MEMORY_SHARE) * 1e6)).toBeCloseTo(1, 1);
    expect(settled.temp).toBe('/tmp/b/top-songs-duckdb-spill');
  });

  it('applies the threads of the function that asked last (an hour rewrite after a chart job, and back)', async () => {
    configureDuckDb(duckDbResourcesFor(2048, { tempRoot: '/tmp/d' }));
    expect((await current()).threads).toBe(2);
    configureDuckDb(duckDbResourcesFor(1024, { tempRoot: '/tmp/e', threads: HOUR_REWRITE_THREADS }));
    const rewriting = await current();
    expect(rewriting.threads).toBe(1);
    expect(rewriting.memory / (Math.floor(2048 * DUCKDB_MEMORY_SHARE) * 1e6)).toBeCloseTo(1, 1); // still the largest
    configureDuckDb(duckDbResourcesFor(1024, { tempRoot: '/tmp/e' }));
    expect((await current()).threads).toBe(2);
  });

  it('runs a call on its own threads when it names them, and the next call on the function’s again', async () => {
    configureDuckDb(duckDbResourcesFor(1024, { tempRoot: '/tmp/f' }));
    const during = await withDuckDb(
      async (connection) =>
        Number((await connection.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]?.[0]),
      { threads: HOUR_REWRITE_THREADS },
    );
    expect(during).toBe(1);
    expect((await current()).threads).toBe(2);
  });
});
