/**
 * The lake-writer bench's CPU figure, in a process of its own that runs nothing but the writer:
 * `node bench/lake-writer-alone.ts <batch size> <batches> <warm-ups> <runs>` prints one JSON line, the wall-clock
 * and CPU seconds (every thread of this process: the writer's own garbage collection and the kernel time of its
 * fsyncs, nothing else's) of each measured run. In the bench's own process the writer's rounds alternate with
 * DuckDB's baselines, and process.cpuUsage() there also counted V8's collection of their garbage, done by the
 * GC's helper threads and by minor collections of a young generation the baselines had grown (docs/benchmarks.md,
 * "Lake-writer: the CPU figure measured alone").
 */
import { encodePlaysWithHyparquet } from '../src/adapters/parquet/plays-hyparquet.ts';
import { expectedFiles, makeRecordBatches, type WriterRun, writeBatches } from './lake-writer-batches.ts';

const [size, count, warmups, runs] = process.argv.slice(2).map(Number);
if (![size, count, warmups, runs].every((value) => Number.isInteger(value) && value! >= 0)) {
  console.error('usage: node bench/lake-writer-alone.ts <batch size> <batches> <warm-ups> <runs>');
  process.exit(2);
}
const batches = makeRecordBatches(count!, size!);
const expected = { rows: size! * count!, files: expectedFiles(batches) };
const measured: WriterRun[] = [];
for (let round = 0; round < warmups! + runs!; round++) {
  const run = await writeBatches(batches, encodePlaysWithHyparquet, expected);
  if (round >= warmups!) measured.push(run);
}
console.log(JSON.stringify(measured));
