/**
 * soak (only with `--only soak`): `npm start` as a child process (embedded defaults, schedules on, a temp data
 * folder) fed plays at half its measured capacity for 30 minutes (`--duration`, `--rate`), sampling every 10 s
 * the memory of its process tree, its event-loop delay, the ingest latency and the lake-writer's lag; then says
 * whether memory is flat: the slope of the tree's memory over the last two thirds of the run.
 */
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { embeddedCommittedOffsets } from '../devkit/embedded-transport.ts';
import { startLocalProcess } from '../devkit/local-process.ts';
import { playsHeaders } from '../devkit/post-plays.ts';
import { waitFor } from '../devkit/wait-for.ts';
import { EVENT_LOOP_REPORT_PREFIX } from '../local/event-loop-report.ts';
import { type BenchOptions, median, withTempDir } from './harness.ts';
import { createIndependentPlayGenerator, HOUR_MS } from './plays.ts';
import { processTreeMemory } from './process-memory.ts';
import { linearTrend, type Point, verdictOf } from './trend.ts';

const SAMPLE_MS = 10_000;
const BATCH = 50;
const CAPACITY_CLIENTS = 4;
const CAPACITY_SECONDS = 20;
/** Requests under way at once while pacing; past it the sender skips a beat and says so. */
const MAX_IN_FLIGHT = 32;
/**
 * Memory growth that counts as a leak: 20 MB an hour is half a gigabyte a day of `npm start` left running. The
 * verdict is "flat" only when the slope's whole 95% interval lies below it.
 */
const LEAK_MB_PER_HOUR = 20;

/** Sends plays to POST /v1/plays with `apiKey`, in the headers every test sends (playsHeaders). */
function playSender(url: string, apiKey: string) {
  const headers = playsHeaders(apiKey);
  const plays = createIndependentPlayGenerator({ seed: 42 });
  return async (): Promise<number> => {
    const now = Date.now();
    const events = Array.from({ length: BATCH }, () => plays.playBetween(now - HOUR_MS, now - 1_000));
    const started = performance.now();
    const response = await fetch(`${url}/v1/plays`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ events }),
    });
    const body = await response.text();
    if (response.status !== 202 || (JSON.parse(body) as { accepted: number }).accepted !== BATCH) {
      throw new Error(`POST /v1/plays answered ${response.status}: ${body.slice(0, 300)}`);
    }
    return performance.now() - started;
  };
}

/** Plays the lake-writer has committed, summed over the partitions. */
async function committedPlays(dataDir: string): Promise<number> {
  return [...(await embeddedCommittedOffsets(dataDir)).values()].reduce((sum, offset) => sum + offset, 0);
}

/** Parquet files in the lake folder: what a day's chart reads grows with them. */
async function lakeFiles(dataDir: string): Promise<number> {
  const names = await readdir(join(dataDir, 'lake', 'plays'), { recursive: true }).catch(
    () => [] as string[],
  );
  return names.filter((name) => name.endsWith('.parquet')).length;
}

async function untilCommitted(dataDir: string, count: number, timeoutMs: number): Promise<void> {
  await waitFor(
    `the lake-writer to commit ${count} plays`,
    async () => ((await committedPlays(dataDir)) >= count ? true : undefined),
    timeoutMs,
  );
}

/** Plays per second from the first request until the lake-writer has committed them all, at full speed. */
async function measureCapacity(send: () => Promise<number>, dataDir: string, committedBefore: number) {
  const started = performance.now();
  const end = started + CAPACITY_SECONDS * 1000;
  let sent = 0;
  await Promise.all(
    Array.from({ length: CAPACITY_CLIENTS }, async () => {
      while (performance.now() < end) {
        await send();
        sent += BATCH;
      }
    }),
  );
  const sendSeconds = (performance.now() - started) / 1000;
  await untilCommitted(dataDir, committedBefore + sent, 5 * 60_000);
  const totalSeconds = (performance.now() - started) / 1000;
  return { sent, ingestRate: sent / sendSeconds, endToEndRate: sent / totalSeconds };
}

interface Sample {
  readonly seconds: number;
  readonly nodeRssMb: number;
  readonly postgresRssMb: number;
  readonly treePssMb: number;
}

const mb = (value: number) => value.toFixed(0);
const quantile = (values: readonly number[], q: number) =>
  values.length === 0 ? Number.NaN : [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;

export async function run(options: BenchOptions): Promise<void> {
  const durationMs = options.durationMs ?? 30 * 60_000;
  await withTempDir('soak', async (dataDir) => {
    const app = await startLocalProcess(
      // Embedded everything, as a bare `npm start`: no DATABASE_URL (startLocalProcess drops the others).
      {
        TOP_SONGS_DATA_DIR: dataDir,
        TOP_SONGS_EVENT_LOOP_REPORT_SECONDS: String(SAMPLE_MS / 1000),
        DATABASE_URL: '',
      },
      ['--no-simulator'],
    );
    let loop = { p50_ms: Number.NaN, p99_ms: Number.NaN, max_ms: Number.NaN };
    app.child.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.startsWith(EVENT_LOOP_REPORT_PREFIX))
          loop = JSON.parse(line.slice(EVENT_LOOP_REPORT_PREFIX.length));
      }
    });
    try {
      // The runtime's development key, unless TOP_SONGS_API_KEY names another.
      const send = playSender(app.url, options.apiKey ?? app.apiKey);
      let rate = options.rate;
      console.log(`\nsoak: npm start (pid ${app.child.pid}, embedded defaults, schedules on) in ${dataDir}`);
      if (rate === undefined) {
        const capacity = await measureCapacity(send, dataDir, 0);
        rate = capacity.endToEndRate / 2;
        console.log(
          `  capacity: ${capacity.sent} plays in ${CAPACITY_SECONDS} s from ${CAPACITY_CLIENTS} clients (batches of ${BATCH}): ` +
            `ingest ${capacity.ingestRate.toFixed(0)}/s, into the lake ${capacity.endToEndRate.toFixed(0)}/s ` +
            `(until the lake-writer had committed them all); soak rate = half: ${rate.toFixed(0)} plays/s`,
        );
      } else console.log(`  soak rate (--rate): ${rate} plays/s`);

      const accepted = { count: await committedPlays(dataDir) };
      const samples = await soakAt(rate, durationMs, send, app.child.pid!, dataDir, accepted, () => loop);
      await untilCommitted(dataDir, accepted.count, 5 * 60_000);
      printVerdict(samples, durationMs);
    } finally {
      await app.stop('SIGTERM');
    }
  });
}

/** Sends `rate` plays a second in batches for `durationMs`, printing a sample every 10 s. */
async function soakAt(
  rate: number,
  durationMs: number,
  send: () => Promise<number>,
  pid: number,
  dataDir: string,
  accepted: { count: number },
  eventLoop: () => { p50_ms: number; p99_ms: number; max_ms: number },
): Promise<Sample[]> {
  const header = [
    'time',
    'plays/s',
    'lag',
    'files',
    'node RSS',
    'pg RSS',
    'tree PSS',
    'loop p50',
    'loop p99',
    'loop max',
    'POST p50',
    'POST p99',
    'load',
  ];
  const widths = header.map((title) => Math.max(title.length, 8));
  const row = (cells: readonly string[]) =>
    `  ${cells.map((cell, i) => cell.padStart(widths[i]!)).join(' ')}`;
  console.log(
    `  every ${SAMPLE_MS / 1000} s; memory in MB, times in ms; lag = plays accepted but not yet committed to the lake;\n` +
      "  files = Parquet files in the lake (the daily chart job reads all of the day's every minute)",
  );
  console.log(row(header));

  const samples: Sample[] = [];
  let latencies: number[] = [];
  let inFlight = 0;
  let skipped = 0;
  let failure: unknown;
  const started = performance.now();
  const intervalMs = (BATCH / rate) * 1000;
  let lastSample = { at: started, accepted: accepted.count };
  const takeSample = async () => {
    const now = performance.now();
    const memory = processTreeMemory(pid);
    // A request the transport took but whose 202 is not back yet is committed before it is counted: not below 0.
    const lag = Math.max(0, accepted.count - (await committedPlays(dataDir)));
    const sample = {
      seconds: (now - started) / 1000,
      nodeRssMb: memory.rootRssMb,
      // PostgreSQL's alone: the scheduled jobs' processes are in the tree's PSS, not in this column.
      postgresRssMb: memory.descendantsRssMb - memory.nodeDescendantsRssMb,
      treePssMb: memory.treePssMb,
    };
    samples.push(sample);
    const loop = eventLoop();
    console.log(
      row([
        `${Math.round(sample.seconds)} s`,
        (((accepted.count - lastSample.accepted) * 1000) / (now - lastSample.at)).toFixed(0),
        String(lag),
        String(await lakeFiles(dataDir)),
        mb(sample.nodeRssMb),
        mb(sample.postgresRssMb),
        mb(sample.treePssMb),
        loop.p50_ms.toFixed(1),
        loop.p99_ms.toFixed(1),
        loop.max_ms.toFixed(0),
        quantile(latencies, 0.5).toFixed(1),
        quantile(latencies, 0.99).toFixed(1),
        os.loadavg()[0]!.toFixed(2),
      ]),
    );
    latencies = [];
    lastSample = { at: now, accepted: accepted.count };
  };
  const sampler = setInterval(() => void takeSample(), SAMPLE_MS);
  try {
    for (let beat = 0; ; beat++) {
      const due = started + beat * intervalMs;
      if (due - started >= durationMs || failure) break;
      await sleep(Math.max(0, due - performance.now()));
      if (inFlight >= MAX_IN_FLIGHT) {
        skipped++;
        continue;
      }
      inFlight++;
      send()
        .then((ms) => {
          latencies.push(ms);
          accepted.count += BATCH;
        })
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => inFlight--);
    }
    while (inFlight > 0) await sleep(10);
  } finally {
    clearInterval(sampler);
  }
  if (failure) throw failure;
  if (skipped > 0) console.log(`  the runtime fell behind: ${skipped} of the paced requests were skipped`);
  return samples;
}

function printVerdict(samples: readonly Sample[], durationMs: number): void {
  const tail = samples.filter((sample) => sample.seconds >= durationMs / 3000);
  const series = (pick: (sample: Sample) => number): Point[] =>
    tail.map((sample) => ({ hours: sample.seconds / 3600, value: pick(sample) }));
  const describe = (name: string, points: Point[]) => {
    const trend = linearTrend(points);
    const values = points.map((point) => point.value);
    return {
      trend,
      line: `  ${name.padEnd(9)} ${trend.perHour >= 0 ? '+' : ''}${trend.perHour.toFixed(1)} ± ${trend.margin.toFixed(1)} MB/hour (median ${median(values).toFixed(0)} MB, ${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`,
    };
  };
  const tree = describe(
    'tree PSS',
    series((sample) => sample.treePssMb),
  );
  const node = describe(
    'node RSS',
    series((sample) => sample.nodeRssMb),
  );
  const postgres = describe(
    'pg RSS',
    series((sample) => sample.postgresRssMb),
  );
  console.log(
    `\n  memory over the last two thirds of the run (${tail.length} samples), least-squares slope ± 95%:`,
  );
  for (const { line } of [tree, node, postgres]) console.log(line);
  const verdict = verdictOf(tree.trend, LEAK_MB_PER_HOUR);
  const says = {
    flat: `flat: the process tree's memory grows by less than ${LEAK_MB_PER_HOUR} MB/hour`,
    growing: `GROWING: the process tree's memory grows by more than ${LEAK_MB_PER_HOUR} MB/hour`,
    inconclusive: `inconclusive at ${LEAK_MB_PER_HOUR} MB/hour: the interval straddles it; run longer (--duration)`,
  }[verdict];
  console.log(`  verdict: memory is ${says}`);
}
