/**
 * What every benchmark shares: timing, medians, temp folders, the machine header and the tables.
 * A benchmark compares a figure with a baseline measured in the same process on the same machine,
 * interleaved run by run so that drift (thermal, page cache, a noisy neighbour) hits both alike.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { makeTempDir } from '../devkit/temp-dir.ts';

export interface BenchOptions {
  /** A smaller run: fewer requests, rows and repetitions. */
  readonly quick: boolean;
  /** soak, memory: how long to run (`--duration` or `--minutes`; default 30 minutes). */
  readonly durationMs?: number | undefined;
  /** soak: plays per second (`--rate`); unset: half the capacity it measures first. */
  readonly rate?: number | undefined;
  /** memory: seconds between memory samples (`--every`; default 10). */
  readonly sampleSeconds?: number | undefined;
  /**
   * memory: take V8 heap snapshots after the first minute and at the end (`--heap-snapshots`). Off by default: a
   * snapshot's own memory stays in node's RSS (~150 MB of glibc's heap), so with them the samples after the first
   * one measure the benchmark as much as `npm start`.
   */
  readonly heapSnapshots?: boolean | undefined;
  /** soak: the API key its sender presents (TOP_SONGS_API_KEY); unset: the runtime's development key. */
  readonly apiKey?: string | undefined;
  /** scale: plays in the generated day (`--plays`; default 10,000,000, 1,000,000 with --quick). */
  readonly plays?: number | undefined;
}

export interface RunPlan {
  /** Runs of each variant before the measured ones; their times are discarded. */
  readonly warmups: number;
  /** Measured runs of each variant; the median is reported. */
  readonly runs: number;
}

/** "30m", "90s", "1h" (or plain seconds) in milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 's' | 'm' | 'h'];
  const ms = Number(match[1]) * unit;
  return ms > 0 ? ms : undefined;
}

export const planFor = (options: BenchOptions): RunPlan =>
  options.quick ? { warmups: 1, runs: 3 } : { warmups: 1, runs: 5 };

export interface Stats {
  /** Seconds. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Seconds taken by `work`. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

/**
 * Runs each variant `warmups + runs` times, interleaved (a, b, a, b, …), and keeps the measured
 * runs. A variant does its own setup and cleanup and returns the seconds of its timed part only.
 */
export async function interleave<K extends string>(
  variants: Record<K, () => Promise<number>>,
  plan: RunPlan,
): Promise<Record<K, Stats>> {
  const names = Object.keys(variants) as K[];
  const samples = new Map<K, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < plan.warmups + plan.runs; round++) {
    for (const name of names) {
      const seconds = await variants[name]();
      if (round >= plan.warmups) samples.get(name)!.push(seconds);
    }
  }
  const stats = {} as Record<K, Stats>;
  for (const name of names) {
    const values = samples.get(name)!;
    stats[name] = {
      median: median(values),
      min: Math.min(...values),
      max: Math.max(...values),
      samples: values,
    };
  }
  return stats;
}

/** `callers` concurrent loops, each working through its share of the items one after another. */
export async function inParallel<T>(
  callers: number,
  items: readonly T[],
  work: (item: T) => Promise<void>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      for (let index = caller; index < items.length; index += callers) await work(items[index]!);
    }),
  );
}

const liveTempDirs = new Set<string>();

/** A fresh folder under the system temp dir, removed afterwards (also on Ctrl-C). */
export async function withTempDir<T>(label: string, work: (dir: string) => Promise<T>): Promise<T> {
  const { path: dir, remove } = await makeTempDir(`bench-${label}`);
  liveTempDirs.add(dir);
  try {
    return await work(dir);
  } finally {
    await remove();
    liveTempDirs.delete(dir);
  }
}

/** Removes whatever temp folders are still there; for an interrupted run. */
export function removeTempDirsNow(): void {
  for (const dir of liveTempDirs) rmSync(dir, { recursive: true, force: true });
  liveTempDirs.clear();
}

function cpuModel(): string {
  if (existsSync('/proc/cpuinfo')) {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1]!.trim();
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

/** The lines of the header: what the figures were measured on. */
export function machineDescription(extra: Record<string, string> = {}): string[] {
  const facts: Record<string, string> = {
    CPU: `${cpuModel()}, ${os.availableParallelism()} cores available (${os.cpus().length} online)`,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    OS: `${os.type()} ${os.release()} ${os.arch()}`,
    Node: process.version,
    'temp dir': os.tmpdir(),
    // Other work on the machine shows up as noise; the ratios are steadier than the figures.
    load: `${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(', ')} (1, 5, 15 min averages at start)`,
    ...extra,
  };
  const width = Math.max(...Object.keys(facts).map((key) => key.length));
  return Object.entries(facts).map(([key, value]) => `${key.padEnd(width)}  ${value}`);
}

export interface TableRow {
  readonly name: string;
  readonly figure: string;
  readonly baseline: string;
  readonly ratio: string;
}

/** Prints one benchmark's table: a title, notes saying what is measured, then the rows. */
export function printTable(title: string, notes: readonly string[], rows: readonly TableRow[]): void {
  const header: TableRow = { name: 'case', figure: 'figure', baseline: 'baseline', ratio: 'ratio' };
  const all = [header, ...rows];
  const width = (key: keyof TableRow) => Math.max(...all.map((row) => row[key].length));
  const widths = {
    name: width('name'),
    figure: width('figure'),
    baseline: width('baseline'),
    ratio: width('ratio'),
  };
  const line = (row: TableRow) =>
    `  ${row.name.padEnd(widths.name)}  ${row.figure.padStart(widths.figure)}  ${row.baseline.padStart(widths.baseline)}  ${row.ratio.padStart(widths.ratio)}`;
  const rule = `  ${'-'.repeat(widths.name + widths.figure + widths.baseline + widths.ratio + 6)}`;
  console.log(`\n${title}`);
  for (const note of notes) console.log(`  ${note}`);
  console.log(rule);
  console.log(line(header));
  console.log(rule);
  for (const row of rows) console.log(line(row));
}

/** 12,345 for large values, 3 significant digits for small ones. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

/** A throughput: `units` per median second, with the spread of the runs (half the min–max range). */
export function formatRate(units: number, stats: Stats, unit: string): string {
  const spread = ((stats.max - stats.min) / 2 / stats.median) * 100;
  return `${formatNumber(units / stats.median)} ${unit} ±${spread.toFixed(0)}%`;
}

export function formatSeconds(stats: Stats): string {
  const spread = ((stats.max - stats.min) / 2 / stats.median) * 100;
  const value =
    stats.median >= 1 ? `${stats.median.toFixed(2)} s` : `${(stats.median * 1000).toPrecision(3)} ms`;
  return `${value} ±${spread.toFixed(0)}%`;
}

/** Throughput of the figure over throughput of the baseline (above 1: the figure is faster). */
export function formatRatio(figure: Stats, baseline: Stats): string {
  const ratio = baseline.median / figure.median;
  return ratio >= 10
    ? `${ratio.toFixed(1)}×`
    : ratio >= 0.1
      ? `${ratio.toFixed(2)}×`
      : `${ratio.toPrecision(2)}×`;
}
