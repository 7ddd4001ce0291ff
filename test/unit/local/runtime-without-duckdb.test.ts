/**
 * `npm start`'s own process never loads DuckDB: the scheduled jobs, which read the lake with it, run in processes
 * of their own, and what the runtime does itself (the catalog at its start, the functions it runs in-process)
 * needs none. Loaded once, DuckDB's library and what it allocates stay with the process for its whole life
 * (~85 MB; docs/decisions.md, "DuckDB out of the runtime's process").
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { functions } from '../../../src/topology.ts';

const root = resolve(import.meta.dirname, '../../..');

/** The native libraries a fresh node process has mapped after importing `modules` (Linux's /proc). */
async function librariesAfterImporting(modules: readonly string[]): Promise<string> {
  const script = `
    for (const module of ${JSON.stringify(modules)}) await import(module);
    const { readFileSync } = await import('node:fs');
    process.stdout.write(readFileSync('/proc/self/maps', 'utf8'));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    maxBuffer: 64 * 2 ** 20,
  });
  return stdout;
}

describe.runIf(process.platform === 'linux')("the local runtime's process", () => {
  it('loads no DuckDB with its modules and the handlers it runs itself', async () => {
    const inProcess = functions
      .filter((fn) => fn.trigger.kind !== 'schedule' && fn.trigger.kind !== 'deploy')
      .map((fn) => resolve(root, fn.entry));
    // The check sees DuckDB when something loads it: a scheduled job's handler does.
    const job = functions.find((fn) => fn.name === 'chart-hourly')!;
    expect(await librariesAfterImporting([resolve(root, job.entry)])).toContain('libduckdb');

    const maps = await librariesAfterImporting([
      resolve(root, 'local/runtime.ts'),
      resolve(root, 'local/catalog.ts'),
      resolve(root, 'src/wiring/catalog-files.ts'),
      resolve(root, 'simulator/index.ts'),
      ...inProcess,
    ]);
    expect(inProcess.length).toBeGreaterThan(4);
    expect(maps).not.toContain('libduckdb');
  });
});
