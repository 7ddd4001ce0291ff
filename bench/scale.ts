/**
 * scale (`npm run bench -- --scale [--plays 10000000]`): the chart-daily job end to end (the handler invoked in
 * this process as a warm Lambda would be: listing, rollups, DuckDB, PostgreSQL written, lake counts stored) over a
 * seeded day of plays (bench/scale-lake.ts), against a raw DuckDB query of the same result over the same files.
 */
import { join } from 'node:path';
import pg from 'pg';
import { invokeFunction } from '../local/functions.ts';
import { tallyTopSongs } from '../src/adapters/duckdb/chart-query.ts';
import { tallyDayFromRollups } from '../src/adapters/duckdb/day-query.ts';
import { LocalFolderStore } from '../src/adapters/object-store/local-folder.ts';
import { startEmbeddedPostgres } from '../src/adapters/postgres/embedded.ts';
import { loadSettings } from '../src/config/settings.ts';
import { type RegionTally, windowStartingAt } from '../src/domain/charts.ts';
import { GLOBAL_REGION } from '../src/domain/regions.ts';
import {
  isRollupCrossersFile,
  isRollupSumsFile,
  parsePartialManifest,
  parseRollupManifest,
  partialManifestKey,
  rollupDayPrefix,
  rollupManifestKey,
} from '../src/domain/rollups.ts';
import type { WholeHour } from '../src/ports/rollup-engine.ts';
import type { ChartJobResult } from '../src/use-cases/compute-charts.ts';
import { listPlaysFiles } from '../src/use-cases/list-plays-files.ts';
import { createDependencies, installDependencies } from '../src/wiring/dependencies.ts';
import {
  type BenchOptions,
  formatNumber,
  formatRatio,
  formatSeconds,
  interleave,
  printTable,
  type Stats,
  timed,
  withTempDir,
} from './harness.ts';
import { SCALE_DAY, scaleLake, splitOpenHour } from './scale-lake.ts';

const HOUR_MS = 3_600_000;
const DAY = windowStartingAt('day', SCALE_DAY);
/** The schedule's view at 23:30: hours 0–22 final (rolled up), 23 open (read whole). */
const OPEN_HOUR_CLOCK = new Date(SCALE_DAY.getTime() + 23.5 * HOUR_MS);
const OPEN_HOUR = new Date(SCALE_DAY.getTime() + 23 * HOUR_MS);
/** The next day at 00:30: every hour final. */
const PAST_DAY_CLOCK = new Date(SCALE_DAY.getTime() + 24.5 * HOUR_MS);

const global = (tallies: readonly RegionTally[]) =>
  tallies.find((tally) => tally.region === GLOBAL_REGION && tally.genre === undefined);

export async function run(options: BenchOptions): Promise<void> {
  const plays = options.plays ?? (options.quick ? 1_000_000 : 10_000_000);
  const plan = { warmups: 1, runs: 3 };
  const lake = await scaleLake(plays);
  await withTempDir('scale', async (dir) => {
    // A working lake without rollups, whose open hour ends in a minute of files of its own.
    const split = await splitOpenHour(lake, dir);
    const store = new LocalFolderStore(split.path);
    const database = await startEmbeddedPostgres(join(dir, 'postgres'));
    let now = OPEN_HOUR_CLOCK;
    const deps = createDependencies(
      loadSettings({
        ...process.env,
        DATABASE_URL: database.url,
        LAKE_URI: split.path,
        TOP_SONGS_DATA_DIR: dir,
        REGIONS: 'us,gb,de,fr,br,mx,jp,in',
      }),
      () => now,
    );
    installDependencies(deps);
    const client = new pg.Client({ connectionString: database.url });
    try {
      await client.connect();
      const event = { period: 'day', window_start: SCALE_DAY.toISOString() };
      const job = async () => (await invokeFunction('chart-daily', event)) as ChartJobResult;
      const playsFiles = await store.localCopies((await listPlaysFiles(store, DAY)).map((file) => file.key));
      const rawQuery = async () => tallyTopSongs(playsFiles, DAY);
      const expected = global(await rawQuery())!;
      const storedGlobal = async () =>
        (
          await client.query(
            `SELECT song_id, plays::INTEGER AS plays FROM chart_entries
             WHERE period = 'day' AND region = 'global' AND window_start = $1 ORDER BY rank`,
            [SCALE_DAY],
          )
        ).rows as { song_id: string; plays: number }[];
      const check = async (result: ChartJobResult, label: string) => {
        const computed = result.computed[0]!;
        const entries = (await storedGlobal()).map((entry, index) => ({ rank: index + 1, ...entry }));
        if (
          computed.eligible_plays !== expected.eligible_plays ||
          JSON.stringify(entries) !== JSON.stringify(expected.entries)
        ) {
          throw new Error(`${label}: the job's day chart is not the raw query's`);
        }
        return computed;
      };
      // The first run of the day after 23:00 builds the rollups of hours 0–22 (untimed for the table; reported).
      let first: ChartJobResult | undefined;
      const firstSeconds = await timed(async () => {
        first = await job();
      });
      const firstComputed = await check(first!, 'first run');
      // The same files the job reads at 23:30: 23 rollups and hour 23's plays files.
      const rollupFiles = async (hours: number) =>
        Promise.all(
          Array.from({ length: hours }, async (_, hour) => {
            const manifest = parseRollupManifest(
              await store.get(rollupManifestKey(new Date(SCALE_DAY.getTime() + hour * HOUR_MS))),
            )!;
            const [counts, keys] = await store.localCopies(manifest.files);
            return { counts: counts!, keys: keys! };
          }),
        );
      // The open hour as a run a minute after the run before reads it: the part that run kept, and the new files.
      const seenPart = async (): Promise<WholeHour> => {
        const manifest = parsePartialManifest(await store.get(partialManifestKey(OPEN_HOUR)))!;
        const [keys, probed] = await store.localCopies(manifest.files);
        return {
          files: await store.localCopies(split.tails[1]!),
          partial: { keys: keys!, probed },
          keep: false,
        };
      };
      // The run before: it reads the open hour but its tails from `from` on, and keeps that part.
      const runBefore = async (from: number) => {
        await split.hideTails(from);
        now = OPEN_HOUR_CLOCK;
        await job(); // a day without those minutes: not the raw query's day
        await split.hideTails(undefined);
      };
      // The crossers among those rollups and their counts summed, as the job keeps them for its later runs.
      const crossersOf = async () => {
        const listed = await store.list(rollupDayPrefix(SCALE_DAY));
        const [crossers, sums] = [listed.find(isRollupCrossersFile), listed.find(isRollupSumsFile)];
        if (crossers === undefined || sums === undefined) return undefined;
        const [rollupCrossers, rollupSums] = await store.localCopies([crossers, sums]);
        return { rollupCrossers: rollupCrossers!, rollupSums: rollupSums! };
      };
      const openRollups = await rollupFiles(23);
      const openCrossers = await crossersOf();
      const rollupQuery =
        (
          rollups: Awaited<ReturnType<typeof rollupFiles>>,
          whole: WholeHour[],
          kept: Awaited<ReturnType<typeof crossersOf>>,
        ) =>
        async () => {
          const day = await tallyDayFromRollups({ rollups, whole, window: DAY, ...kept });
          if (global(day.tallies)?.eligible_plays !== expected.eligible_plays)
            throw new Error('rollup query differs');
          return day;
        };
      let openComputed: ChartJobResult['computed'][number] | undefined;
      const open = await interleave(
        {
          minute: async () => {
            await runBefore(1);
            return timed(async () => {
              now = OPEN_HOUR_CLOCK;
              await check(await job(), 'a minute later');
            });
          },
          keeps: async () => {
            await runBefore(0);
            return timed(async () => {
              now = OPEN_HOUR_CLOCK;
              await check(await job(), '7 minutes later');
            });
          },
          // After `keeps`, which kept the whole hour: nothing new in the lake since.
          job: () =>
            timed(async () => {
              now = OPEN_HOUR_CLOCK;
              openComputed = await check(await job(), 'open hour');
            }),
          raw: () => timed(rawQuery),
          rollups: async () => {
            await runBefore(1);
            return timed(rollupQuery(openRollups, [await seenPart()], openCrossers));
          },
        },
        plan,
      );
      // Past the day: hour 23 becomes final (built by the warm-up run), every hour from its rollup.
      now = PAST_DAY_CLOCK;
      const allRollups = async () => rollupFiles(24);
      await check(await job(), 'past day (builds hour 23)');
      await check(await job(), 'past day (keeps the crossers of 24 rollups)');
      const pastRollups = await allRollups();
      const pastCrossers = await crossersOf();
      let pastComputed: ChartJobResult['computed'][number] | undefined;
      const past = await interleave(
        {
          job: () =>
            timed(async () => {
              pastComputed = await check(await job(), 'past day');
            }),
          raw: () => timed(rawQuery),
          rollups: () => timed(rollupQuery(pastRollups, [], pastCrossers)),
        },
        plan,
      );
      const row = (name: string, figure: Stats, baseline: Stats) => ({
        name,
        figure: formatSeconds(figure),
        baseline: formatSeconds(baseline),
        ratio: formatRatio(figure, baseline),
      });
      printTable(
        `scale: chart-daily over a day of ${formatNumber(lake.rows)} plays (${playsFiles.length} plays files; 5% redeliveries, 0.1% into another hour, 25% short)`,
        [
          'figure:    the chart-daily handler invoked in this process (a warm function): listing, rollups, DuckDB,',
          '           PostgreSQL written (charts, semantics, lake counts); checked against the raw query each run',
          'baselines: raw: the chart query (tallyTopSongs) over all the plays files of the day;',
          '           same files: the day query over the files the job reads (rollups, their crossers, the part of the',
          "           open hour the run before kept, the open hour's new files)",
          'open hour: 23:30, hours 0–22 rolled up; "a minute of new files": the run before read hour 23 but its',
          `           last minute (${split.tails[1]!.length} files, one per partition), which the timed run reads; "7 minutes":`,
          "           but its last 7 (23:53–23:59, 12% of the hour's rows), so the timed run keeps a new seen part",
          `ratio:     baseline time ÷ figure time; median of ${plan.runs} runs after ${plan.warmups} warm-up, ± half the range`,
          `lake:      ${lake.path} (${lake.generatedSeconds === undefined ? 'cached' : `generated in ${lake.generatedSeconds.toFixed(1)} s`})`,
          `first run: ${firstSeconds.toFixed(2)} s, building ${firstComputed.rollup_hours} rollups (hours 0–22)`,
        ],
        [
          row(`open hour, nothing new, ${openComputed?.rollup_hours} rollups vs raw`, open.job, open.raw),
          row('open hour, a minute of new files vs raw', open.minute, open.raw),
          row('  … vs the same files', open.minute, open.rollups),
          row('open hour, 7 minutes of new files vs raw', open.keeps, open.raw),
          row(`past day, ${pastComputed?.rollup_hours} rollups vs raw`, past.job, past.raw),
          row('  … vs the same files', past.job, past.rollups),
        ],
      );
    } finally {
      await client.end();
      installDependencies(undefined);
      await deps.close();
      await database.stop();
    }
  });
}
