/**
 * One side of the lake-writer bench's fair comparison, in a process of its own that runs nothing else:
 * `node bench/lake-writer-process.ts <writer|copy> <batch size> <batches>` makes the seeded batches, then does one
 * run for each line it reads on stdin and answers it with one JSON line, the run's wall-clock and CPU seconds (every
 * thread of this process: the writer's garbage collection and its fsyncs' kernel time, or DuckDB's threads).
 * `writer`: writePlaysToLake with the folder lake and its encoder; `copy`: DuckDB's COPY of the same files from
 * tables loaded first (not timed). The bench alternates the two processes run by run (docs/benchmarks.md, "Lake-writer:
 * the comparison with DuckDB's COPY made fair").
 */
import { createInterface } from 'node:readline';
import { encodePlaysWithHyparquet } from '../src/adapters/parquet/plays-hyparquet.ts';
import { withTempDir } from './harness.ts';
import {
  expectedFiles,
  makeRecordBatches,
  measured,
  type TimedRun,
  writeBatches,
} from './lake-writer-batches.ts';

const [kind, ...numbers] = process.argv.slice(2);
const [size, count] = numbers.map(Number);
if (
  (kind !== 'writer' && kind !== 'copy') ||
  ![size, count].every((value) => Number.isInteger(value) && value! > 0)
) {
  console.error('usage: node bench/lake-writer-process.ts <writer|copy> <batch size> <batches>');
  process.exit(2);
}
const records = makeRecordBatches(count!, size!);

let run: () => Promise<TimedRun>;
if (kind === 'writer') {
  const expected = { rows: size! * count!, files: expectedFiles(records) };
  run = () => writeBatches(records, encodePlaysWithHyparquet, expected);
} else {
  // Imported here: the writer's process loads no DuckDB.
  const { batchOf, copyFileTables, loadFileTables } = await import('./lake-writer-copy.ts');
  const tables = await loadFileTables(records.map(batchOf), 'bench_alone');
  run = () => withTempDir('copy-alone', (dir) => measured(() => copyFileTables(tables, dir)));
}
// Ready once set up: the bench starts timing neither side's setup.
console.log(JSON.stringify({ ready: true }));
for await (const _line of createInterface({ input: process.stdin })) {
  console.log(JSON.stringify(await run()));
}
