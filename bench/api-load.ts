/**
 * The api bench's load generator, a process of its own so that it can run on a core of its own (bench/api.ts
 * pins it with taskset): runs bench/paced-load.ts with the spec given as its one argument (JSON) and prints
 * what it measured as one line of JSON, after a line `measuring` when its warm-up ends.
 */
import { type LoadSpec, pacedLoad } from './paced-load.ts';

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const report = await pacedLoad(spec, () => process.stdout.write('measuring\n'));
process.stdout.write(`${JSON.stringify(report)}\n`);
