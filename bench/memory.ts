/**
 * memory (only with `--only memory`): `npm start` as a user runs it (embedded defaults, schedules on, its own
 * simulator at 200 plays/s, a temp data folder) for 30 minutes (`--minutes`), sampling every 10 s (`--every`)
 * the memory of node and of the embedded PostgreSQL processes; prints start, peak, end and the slope; with
 * `--heap-snapshots`, compares two V8 heap snapshots (after the first minute and at the end, taken through
 * `--heapsnapshot-signal`) class by class, with what holds the classes that grew most.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocalProcess } from '../devkit/local-process.ts';
import { waitFor } from '../devkit/wait-for.ts';
import { SCHEDULED_RUN_LOGGED } from '../local/job-process.ts';
import { type BenchOptions, median, withTempDir } from './harness.ts';
import { growthBetween, type HeapSummary, summarizeHeapSnapshot } from './heap-snapshot.ts';
import { processTreeMemory } from './process-memory.ts';
import { linearTrend, type Point } from './trend.ts';

const RATE = 200;
const FIRST_SNAPSHOT_MS = 60_000;
const SNAPSHOT_SIGNAL = 'SIGUSR2';
/** The goal of issue 13: node and its PostgreSQL under this after 30 minutes. */
const GOAL_MB = 500;

interface Sample {
  readonly seconds: number;
  readonly nodeRssMb: number;
  readonly postgresRssMb: number;
  /** The scheduled jobs' processes (node, children of the runtime) running at the sample, RSS summed. */
  readonly jobsRssMb: number;
  /** node, its job processes and PostgreSQL's: the whole tree under `npm start`. */
  readonly treeRssMb: number;
  readonly treePssMb: number;
  /** The tree's anonymous pages (heaps, private buffers): its RSS sum less the mapped files and shared memory. */
  readonly treeAnonymousMb: number;
}

/** Asks the runtime for a heap snapshot and waits until the file is whole (V8 writes it on the main thread). */
async function heapSnapshot(pid: number, folder: string): Promise<string> {
  const before = new Set(await readdir(folder).catch(() => [] as string[]));
  process.kill(pid, SNAPSHOT_SIGNAL);
  const name = await waitFor(
    'the heap snapshot file',
    async () =>
      (await readdir(folder)).find((entry) => entry.endsWith('.heapsnapshot') && !before.has(entry)),
    120_000,
  );
  const path = join(folder, name);
  // Whole once its size stops changing for a second and the event loop answers again (the signal's writer blocks it).
  let size = -1;
  await waitFor(
    'the heap snapshot to be written',
    async () => {
      const now = (await stat(path)).size;
      const settled = now === size && now > 0;
      size = now;
      return settled ? true : undefined;
    },
    300_000,
    1_000,
  );
  return path;
}

const mb = (value: number) => `${value.toFixed(0)} MB`;

function describeSeries(name: string, samples: readonly Sample[], pick: (sample: Sample) => number): string {
  const values = samples.map(pick);
  const points = (from: number): Point[] =>
    samples
      .filter((sample) => sample.seconds >= from)
      .map((sample) => ({ hours: sample.seconds / 3600, value: pick(sample) }));
  const last = samples.at(-1)!.seconds;
  const slope = (from: number) => {
    const series = points(from);
    if (series.length < 3) return 'n/a';
    const trend = linearTrend(series);
    return `${trend.perHour >= 0 ? '+' : ''}${trend.perHour.toFixed(0)} ± ${trend.margin.toFixed(0)} MB/h`;
  };
  return `  ${name.padEnd(15)} start ${mb(values[0]!).padStart(7)}  peak ${mb(Math.max(...values)).padStart(7)}  end ${mb(values.at(-1)!).padStart(7)}  slope: whole run ${slope(0)}, last two thirds ${slope(last / 3)}`;
}

/**
 * Each scheduled run's own peak (maxRSS, which the runtime logs at INFO for every job process it ran), by
 * function: the samples catch a job process only when one falls within a run of a second or two. The last runs
 * apart: a chart job's working set grows with the open hour.
 */
function printScheduledRuns(output: string): void {
  const runs = new Map<string, { peaks: number[]; runMs: number[] }>();
  for (const line of output.split('\n')) {
    if (!line.includes(`"${SCHEDULED_RUN_LOGGED}"`)) continue;
    const logged = JSON.parse(line) as { function: string; peakRssMb: number; runMs: number };
    const of = runs.get(logged.function) ?? { peaks: [], runMs: [] };
    of.peaks.push(logged.peakRssMb);
    of.runMs.push(logged.runMs);
    runs.set(logged.function, of);
  }
  console.log("\n  job processes, each run's own peak RSS (maxRSS, mapped files included), by function:");
  for (const [name, of] of [...runs].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(
      `  ${name.padEnd(15)} ${String(of.peaks.length).padStart(4)} runs  peak RSS median ${mb(median(of.peaks)).padStart(7)}, highest ${mb(Math.max(...of.peaks)).padStart(7)}, highest of the last 5 runs ${mb(Math.max(...of.peaks.slice(-5))).padStart(7)}  run median ${median(of.runMs).toFixed(0)} ms, longest ${Math.max(...of.runMs).toFixed(0)} ms`,
    );
  }
}

function printComparison(first: HeapSummary, last: HeapSummary, holders: readonly string[]): void {
  console.log(
    `\n  JS heap (after a full GC): ${mb(first.totalBytes / 2 ** 20)} after the first minute → ${mb(last.totalBytes / 2 ** 20)} at the end; the classes that grew most:`,
  );
  console.log(
    `  ${'class'.padEnd(44)} ${'Δ objects'.padStart(10)} ${'Δ size'.padStart(10)} ${'size at end'.padStart(12)}`,
  );
  for (const growth of growthBetween(first, last, 15)) {
    console.log(
      `  ${growth.name.slice(0, 44).padEnd(44)} ${String(growth.countDelta).padStart(10)} ${`${(growth.bytesDelta / 1024).toFixed(0)} kB`.padStart(10)} ${`${(growth.bytesAfter / 1024).toFixed(0)} kB`.padStart(12)}`,
    );
  }
  for (const name of holders) {
    const held = [...(last.holders.get(name) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]);
    console.log(
      `  what refers to ${name} at the end (the referrer's class .property, and how many): ${held
        .slice(0, 5)
        .map(([by, n]) => `${by} (${n})`)
        .join(', ')}`,
    );
  }
}

export async function run(options: BenchOptions): Promise<void> {
  const durationMs = options.durationMs ?? 30 * 60_000;
  const everyMs = (options.sampleSeconds ?? 10) * 1000;
  await withTempDir('memory', async (dataDir) => {
    const snapshots = join(dataDir, 'heap-snapshots');
    // Node does not create it: a snapshot into a missing folder throws, and kills the runtime.
    await mkdir(snapshots);
    const app = await startLocalProcess(
      {
        // Embedded everything, as a bare `npm start`: no DATABASE_URL (startLocalProcess drops the others).
        TOP_SONGS_DATA_DIR: dataDir,
        DATABASE_URL: '',
        // npm start's own level (startLocalProcess quiets it): its INFO lines say each job process's peak.
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''}${options.heapSnapshots ? ` --heapsnapshot-signal=${SNAPSHOT_SIGNAL} --diagnostic-dir=${snapshots}` : ''}`,
      },
      ['--rate', String(RATE)],
    );
    const pid = app.child.pid!;
    const died = (code: number | null, signal: string | null) => {
      console.error(
        `npm start exited (${signal ?? code}) during the benchmark:\n${app.output().slice(-3000)}`,
      );
      process.exit(1);
    };
    app.child.once('exit', died);
    console.log(
      `\nmemory: npm start (pid ${pid}, embedded defaults, schedules on, simulator at ${RATE} plays/s) for ${durationMs / 60_000} min in ${dataDir}`,
    );
    console.log(
      `  every ${everyMs / 1000} s, MB: node RSS, PostgreSQL RSS (summed), job processes RSS (summed), tree RSS (all three), tree PSS, tree anonymous (RSS less mapped files and shared memory), load`,
    );
    const samples: Sample[] = [];
    const started = performance.now();
    const takeSample = () => {
      const memory = processTreeMemory(pid);
      const sample = {
        seconds: (performance.now() - started) / 1000,
        nodeRssMb: memory.rootRssMb,
        postgresRssMb: memory.descendantsRssMb - memory.nodeDescendantsRssMb,
        jobsRssMb: memory.nodeDescendantsRssMb,
        treeRssMb: memory.rootRssMb + memory.descendantsRssMb,
        treePssMb: memory.treePssMb,
        treeAnonymousMb: memory.treeAnonymousMb,
      };
      samples.push(sample);
      console.log(
        `  ${`${Math.round(sample.seconds)} s`.padStart(7)} ${[sample.nodeRssMb, sample.postgresRssMb, sample.jobsRssMb, sample.treeRssMb, sample.treePssMb, sample.treeAnonymousMb].map((v) => v.toFixed(0).padStart(6)).join(' ')}  ${os.loadavg()[0]!.toFixed(2)}`,
      );
    };
    try {
      takeSample();
      const sampler = setInterval(takeSample, everyMs);
      let first: string | undefined;
      let last: string | undefined;
      try {
        if (options.heapSnapshots) {
          await sleep(Math.min(FIRST_SNAPSHOT_MS, durationMs / 3));
          first = await heapSnapshot(pid, snapshots);
        }
        await sleep(Math.max(0, durationMs - (performance.now() - started)));
        takeSample();
        if (first) last = await heapSnapshot(pid, snapshots);
      } finally {
        clearInterval(sampler);
      }
      console.log(`\n  over ${(samples.at(-1)!.seconds / 60).toFixed(1)} min (${samples.length} samples):`);
      console.log(describeSeries('node RSS', samples, (s) => s.nodeRssMb));
      console.log(describeSeries('PostgreSQL RSS', samples, (s) => s.postgresRssMb));
      console.log(describeSeries('job processes', samples, (s) => s.jobsRssMb));
      console.log(describeSeries('tree RSS', samples, (s) => s.treeRssMb));
      console.log(describeSeries('tree PSS', samples, (s) => s.treePssMb));
      console.log(describeSeries('tree anonymous', samples, (s) => s.treeAnonymousMb));
      const end = samples.at(-1)!;
      // One sample may or may not catch a job process (~200 MB for a few seconds, about twice a minute): the last
      // 5 minutes' median says where the tree sits, their peak what a job adds.
      const lastMinutes = samples.filter((sample) => sample.seconds >= end.seconds - 300);
      const rss = lastMinutes.map((sample) => sample.treeRssMb);
      const pss = lastMinutes.map((sample) => sample.treePssMb);
      console.log(
        `  goal (issue 13): node + PostgreSQL ≤ ${GOAL_MB} MB RSS after 30 min: ${end.treeRssMb <= GOAL_MB ? 'met' : 'NOT met'} at the last sample (${mb(end.treeRssMb)} RSS, ${mb(end.treePssMb)} PSS, ${mb(end.treeAnonymousMb)} anonymous); last 5 min: RSS median ${mb(median(rss))}, peak ${mb(Math.max(...rss))}; PSS median ${mb(median(pss))}, peak ${mb(Math.max(...pss))}`,
      );
      printScheduledRuns(app.output());
      if (!first || !last) {
        console.log(
          "  (no heap snapshots: --heap-snapshots compares two, at a cost to node's RSS after the first)",
        );
        return;
      }
      const firstSummary = await summarizeHeapSnapshot(first);
      // What holds V8's own kinds ("(code)", "(hidden)") says little: the holders of the 3 classes of the program.
      const grown = growthBetween(firstSummary, await summarizeHeapSnapshot(last), 40)
        .filter((growth) => !growth.name.startsWith('(') && growth.bytesDelta > 0)
        .slice(0, 3)
        .map((growth) => growth.name);
      printComparison(firstSummary, await summarizeHeapSnapshot(last, grown), grown);
    } finally {
      app.child.off('exit', died);
      await app.stop('SIGTERM');
    }
  });
}
