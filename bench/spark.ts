/**
 * spark: events/s through the Spark Structured Streaming job (`--once` over records already in a Kafka topic)
 * against the lake-writer use case (writePlaysToLake with LocalFolderStore, batches of 500) over the same
 * records. Runs only when KAFKA_BROKERS is set and the Spark venv exists (`bash spark/setup.sh`).
 *
 * The Spark side runs in one Python process (bench/spark-once.py): the session (JVM) start is timed apart,
 * then the job runs `--once` over the whole topic several times, each into a fresh lake and checkpoint. The
 * first run pays the JVM's warm-up (class loading, code generation, the Kafka source's first connection) and
 * is reported apart; the figure is the median of the later ones, a long-running job's steady state.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Admin } from '@platformatic/kafka';
import { replayRecords } from '../devkit/kafka.ts';
import { sqlList, withDuckDb } from '../src/adapters/duckdb/duckdb.ts';
import { encodePlayColumnsParquet } from '../src/adapters/duckdb/plays-parquet.ts';
import { LocalFolderStore } from '../src/adapters/object-store/local-folder.ts';
import type { ConsumedRecord } from '../src/domain/consumed-record.ts';
import { defaultRegions } from '../src/domain/regions.ts';
import { writePlaysToLake } from '../src/use-cases/write-plays-to-lake.ts';
import {
  type BenchOptions,
  formatNumber,
  formatRate,
  formatRatio,
  interleave,
  planFor,
  printTable,
  type Stats,
  timed,
  withTempDir,
} from './harness.ts';
import {
  BENCH_NOW,
  consumedRecords,
  createIndependentPlayGenerator,
  HOUR_MS,
  PLAYS_PARTITIONS,
} from './plays.ts';

const BATCH_SIZE = 500;
const HOURS = 3;
const DRIVER_MEMORY = '2g';
const root = resolve(import.meta.dirname, '..');

function sparkHome(): string {
  const pom = readFileSync(join(root, 'spark/pom.xml'), 'utf8');
  const version = /<spark\.version>(.*)<\/spark\.version>/.exec(pom)?.[1] ?? 'unknown';
  const cache = process.env.TOP_SONGS_CACHE ?? join(os.homedir(), '.cache/top-songs');
  return join(cache, `spark-${version}`);
}

const brokers = () => (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);

export function unavailable(): string | undefined {
  if (brokers().length === 0) {
    return 'spark: skipped, KAFKA_BROKERS is not set (start a broker with `npm run services:up -- kafka` and export what it prints)';
  }
  if (!existsSync(join(sparkHome(), 'venv/bin/python'))) {
    return `spark: skipped, no Spark venv at ${join(sparkHome(), 'venv')} (run \`bash spark/setup.sh\`)`;
  }
  return undefined;
}

function makeRecords(count: number, topic: string): ConsumedRecord[] {
  const generator = createIndependentPlayGenerator({ seed: 3_000 });
  const plays = Array.from({ length: count }, () =>
    generator.playBetween(BENCH_NOW - HOURS * HOUR_MS, BENCH_NOW - 1000),
  );
  const nextOffsets = Array.from({ length: PLAYS_PARTITIONS }, () => 0);
  return consumedRecords(plays, nextOffsets, BENCH_NOW).map((record) => ({ ...record, topic }));
}

async function produce(topic: string, records: readonly ConsumedRecord[]): Promise<void> {
  const keyed = records.map((record) => ({
    ...record,
    key: (JSON.parse(record.value) as { user_id: string }).user_id,
  }));
  await replayRecords(brokers(), topic, PLAYS_PARTITIONS, keyed);
}

async function deleteTopic(topic: string): Promise<void> {
  const admin = new Admin({ clientId: 'bench-spark-admin', bootstrapBrokers: brokers() });
  try {
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.close();
  }
}

async function lakeRows(lake: string): Promise<number> {
  const files = readdirSync(join(lake, 'plays'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.parquet'))
    .map((file) => join(lake, 'plays', file));
  if (files.length === 0) return 0;
  return withDuckDb(async (connection) =>
    Number(
      (
        await connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${sqlList(files)})`)
      ).getRowObjectsJS()[0]!.n,
    ),
  );
}

interface SparkTimes {
  readonly session_s: number;
  readonly runs_s: number[];
  /** The whole Python process, JVM start and stop included. */
  readonly process_s: number;
}

async function runSpark(topic: string, folder: string, runs: number): Promise<SparkTimes> {
  const home = sparkHome();
  const env = {
    ...process.env,
    PYTHONPATH: join(root, 'spark'),
    TOP_SONGS_SPARK_JARS: join(home, 'jars'),
    SPARK_LOG_LEVEL: process.env.SPARK_LOG_LEVEL ?? 'WARN',
  };
  const started = performance.now();
  try {
    const { stdout } = await promisify(execFile)(
      join(home, 'venv/bin/python'),
      [join(root, 'bench/spark-once.py'), brokers().join(','), topic, folder, String(runs), DRIVER_MEMORY],
      { cwd: root, env, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60 * 1000 },
    );
    const process_s = (performance.now() - started) / 1000;
    return { ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<SparkTimes, 'process_s'>), process_s };
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '');
    throw new Error(`the Spark job failed: ${(error as Error).message}\n${stderr.slice(-4000)}`);
  }
}

const statsOf = (samples: readonly number[]): Stats => {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return {
    median: sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2,
    min: sorted[0]!,
    max: sorted.at(-1)!,
    samples,
  };
};

export async function run(options: BenchOptions): Promise<void> {
  const reason = unavailable();
  if (reason) {
    console.log(`\n${reason}`);
    return;
  }
  const plan = planFor(options);
  const count = options.quick ? 10_000 : 50_000;
  const sparkRuns = options.quick ? 2 : 3;
  const topic = `bench-spark-${Math.random().toString(16).slice(2, 10)}.song-plays`;
  const records = makeRecords(count, topic);
  await produce(topic, records);
  try {
    const spark = await withTempDir('spark', async (dir) => {
      const times = await runSpark(topic, dir, sparkRuns);
      for (let index = 0; index < sparkRuns; index++) {
        const rows = await lakeRows(join(dir, `lake-${index}`));
        if (rows !== count) throw new Error(`the Spark job wrote ${rows} rows, expected ${count}`);
      }
      return times;
    });

    const writer = await interleave(
      {
        writer: () =>
          withTempDir('lake', async (dir) => {
            const ports = {
              lake: new LocalFolderStore(dir),
              regions: defaultRegions,
              writer: 'lake-writer',
              encodePlays: encodePlayColumnsParquet,
              clock: () => new Date(),
            };
            let written = 0;
            const seconds = await timed(async () => {
              for (let start = 0; start < records.length; start += BATCH_SIZE) {
                const summary = await writePlaysToLake(records.slice(start, start + BATCH_SIZE), ports);
                if (summary.rejected > 0 || summary.failures.length > 0) {
                  throw new Error(`the writer rejected or failed: ${JSON.stringify(summary.failures)}`);
                }
                written += summary.written;
              }
            });
            if (written !== count) throw new Error(`the writer wrote ${written} rows, expected ${count}`);
            return seconds;
          }),
      },
      plan,
    );

    const warm = statsOf(spark.runs_s.slice(1));
    const cold = statsOf(spark.runs_s.slice(0, 1));
    const versus = (name: string, figure: Stats) => ({
      name,
      figure: formatRate(count, figure, 'events/s'),
      baseline: formatRate(count, writer.writer, 'events/s'),
      ratio: formatRatio(figure, writer.writer),
    });
    printTable(
      `spark: the Spark job --once vs writePlaysToLake, ${formatNumber(count)} records over ${PLAYS_PARTITIONS} partitions and ${HOURS} hours`,
      [
        `figure:    the Spark job (local[2], driver memory ${DRIVER_MEMORY}, trigger availableNow = one micro-batch,`,
        '           4 state partitions, 1 h dedup watermark) over the records already in a topic, events/s;',
        `           session (JVM) start ${spark.session_s.toFixed(1)} s, timed apart; ${sparkRuns} runs in one session`,
        'baseline:  writePlaysToLake with LocalFolderStore and encodePlayColumnsParquet, batches of 500, events/s',
        `ratio:     figure ÷ baseline throughput; the lake-writer is the median of ${plan.runs} runs after ${plan.warmups} warm-up`,
      ],
      [
        versus(`Spark, warm (median of ${sparkRuns - 1} runs after the first)`, warm),
        versus('Spark, first run in a fresh JVM', cold),
        versus('Spark, session (JVM) start + first run', statsOf([spark.session_s + spark.runs_s[0]!])),
      ],
    );
    console.log(
      `  Spark seconds: session start ${spark.session_s.toFixed(1)}, runs ${spark.runs_s.map((s) => s.toFixed(2)).join(', ')}, whole Python process ${spark.process_s.toFixed(1)}`,
    );
  } finally {
    await deleteTopic(topic);
  }
}
