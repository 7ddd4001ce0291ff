/**
 * The lake-writer bench's fair comparison with DuckDB's COPY: the writer and the COPY each in a process of its own
 * (bench/lake-writer-process.ts), their runs alternated one by one, so that neither pays for the other's garbage or
 * threads and drift on the machine hits both alike (docs/benchmarks.md, "Lake-writer: the comparison with DuckDB's
 * COPY made fair").
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RunPlan } from './harness.ts';
import type { TimedRun } from './lake-writer-batches.ts';

type Kind = 'writer' | 'copy';

/** A process of bench/lake-writer-process.ts: one run per request, answered with its times. */
function startProcess(kind: Kind, size: number, count: number) {
  const script = fileURLToPath(new URL('./lake-writer-process.ts', import.meta.url));
  const child = spawn(process.execPath, [script, kind, String(size), String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`the ${kind} process ended (exit code ${child.exitCode})`);
    return JSON.parse(value) as unknown;
  };
  return {
    ready: next(),
    run: async () => {
      child.stdin.write('run\n');
      return (await next()) as TimedRun;
    },
    stop: async () => {
      child.stdin.end();
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    },
  };
}

/**
 * `plan.warmups + plan.runs` rounds, each a run of the writer's process then one of DuckDB's, after both have made
 * their input (untimed); the warm-ups' runs are left out. Neither process runs while the other does.
 */
export async function alternateApart(
  size: number,
  count: number,
  plan: RunPlan,
): Promise<Record<Kind, TimedRun[]>> {
  const processes = { writer: startProcess('writer', size, count), copy: startProcess('copy', size, count) };
  const runs: Record<Kind, TimedRun[]> = { writer: [], copy: [] };
  try {
    await Promise.all([processes.writer.ready, processes.copy.ready]);
    for (let round = 0; round < plan.warmups + plan.runs; round++) {
      for (const kind of ['writer', 'copy'] as const) {
        const run = await processes[kind].run();
        if (round >= plan.warmups) runs[kind].push(run);
      }
    }
  } finally {
    await Promise.all([processes.writer.stop(), processes.copy.stop()]);
  }
  return runs;
}
