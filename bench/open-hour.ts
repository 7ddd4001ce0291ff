/**
 * open-hour: what chart-hourly reads every minute, an open hour in thousands of small writer files, for its charts
 * and its lake counts: in one read of the files (tallyAndCountPlays), against the two reads it took before
 * (tallyTopSongs, then countLakeFiles).
 */

import { createRandom } from '../src/adapters/catalog/seeded-random.ts';
import { tallyTopSongs } from '../src/adapters/duckdb/chart-query.ts';
import { countLakeFiles, tallyAndCountPlays } from '../src/adapters/duckdb/lake-counts.ts';
import { encodePlaysParquet } from '../src/adapters/duckdb/plays-parquet.ts';
import { LocalFolderStore } from '../src/adapters/object-store/local-folder.ts';
import { partitionFor } from '../src/adapters/transport/embedded/partitioner.ts';
import { type ChartWindow, MIN_MS_PLAYED, windowContaining } from '../src/domain/charts.ts';
import { playsFileKey } from '../src/domain/lake-layout.ts';
import type { LakePlayRow } from '../src/domain/lake-row.ts';
import type { LakeFileCounts } from '../src/domain/pipeline-counts.ts';
import { GLOBAL_REGION } from '../src/domain/regions.ts';
import {
  type BenchOptions,
  formatNumber,
  formatRatio,
  formatSeconds,
  interleave,
  planFor,
  printTable,
  timed,
  withTempDir,
} from './harness.ts';
import { createIndependentPlayGenerator, HOUR_MS, lakeRow, PLAYS_PARTITIONS, PLAYS_TOPIC } from './plays.ts';

const HOUR = new Date('2026-11-26T12:00:00.000Z');
const DUPLICATE_SHARE = 0.05;

/** What generation knows of the hour: the figures both reads must find. */
interface Expected {
  readonly rows: number;
  readonly duplicates: number;
  readonly eligible: number;
}

/**
 * The first half of an hour as the lake-writer leaves it at 200 plays/s: `files` files of ~90 plays each, ~5% of
 * them redeliveries of an earlier play (at a later offset, often in another file), 25% short plays.
 */
async function writeOpenHour(dir: string, rows: number, files: number): Promise<Expected> {
  const store = new LocalFolderStore(dir);
  const generator = createIndependentPlayGenerator({ seed: 4_000, shortShare: 0.25 });
  const random = createRandom(4_001);
  const offsets = Array.from({ length: PLAYS_PARTITIONS }, () => 0);
  const all: LakePlayRow[] = [];
  let eligible = 0;
  let duplicates = 0;
  for (let index = 0; index < rows; index++) {
    const redelivery = all.length > 0 && random.next() < DUPLICATE_SHARE;
    const play = redelivery
      ? all[random.int(0, all.length - 1)]!
      : generator.playBetween(HOUR.getTime(), HOUR.getTime() + HOUR_MS / 2);
    if (redelivery) duplicates += 1;
    else if (play.ms_played >= MIN_MS_PLAYED) eligible += 1;
    const partition = partitionFor(play.user_id, PLAYS_PARTITIONS);
    all.push(lakeRow(play, partition, offsets[partition]!++));
  }
  const perFile = Math.ceil(rows / files);
  for (let file = 0; file < files; file++) {
    const key = playsFileKey(HOUR, { writer: 'bench', topic: PLAYS_TOPIC, partition: 0, firstOffset: file });
    await store.put(key, await encodePlaysParquet(all.slice(file * perFile, (file + 1) * perFile)));
  }
  return { rows, duplicates, eligible };
}

function check(name: string, charted: number | undefined, counts: LakeFileCounts[], expected: Expected) {
  const global = counts.find((count) => count.region === GLOBAL_REGION);
  const found = { rows: global?.rows, duplicates: global?.duplicates, eligible: charted };
  if (JSON.stringify(found) !== JSON.stringify(expected)) {
    throw new Error(`${name} found ${JSON.stringify(found)}, expected ${JSON.stringify(expected)}`);
  }
}

async function readBothWays(
  files: readonly string[],
  window: ChartWindow,
  expected: Expected,
  options: BenchOptions,
) {
  const charted = (tallies: Awaited<ReturnType<typeof tallyTopSongs>>) =>
    tallies.find((tally) => tally.region === GLOBAL_REGION)?.eligible_plays;
  return interleave(
    {
      together: () =>
        timed(async () => {
          const { tallies, fileCounts } = await tallyAndCountPlays(files, window);
          check('tallyAndCountPlays', charted(tallies), fileCounts, expected);
        }),
      apart: () =>
        timed(async () => {
          const tallies = await tallyTopSongs(files, window);
          check(
            'tallyTopSongs + countLakeFiles',
            charted(tallies),
            await countLakeFiles(files, window),
            expected,
          );
        }),
    },
    planFor(options),
  );
}

export async function run(options: BenchOptions): Promise<void> {
  const [rows, files] = options.quick ? [45_000, 500] : [360_000, 4_000];
  await withTempDir('open-hour', async (dir) => {
    const expected = await writeOpenHour(dir, rows, files);
    const store = new LocalFolderStore(dir);
    const paths = await store.localCopies(await store.list('plays/'));
    const stats = await readBothWays(paths, windowContaining('hour', HOUR), expected, options);
    printTable(
      `open-hour: an open hour's charts and lake counts, ${formatNumber(rows)} plays in ${formatNumber(files)} writer files (${DUPLICATE_SHARE * 100}% redeliveries, 25% short plays)`,
      [
        'figure:    tallyAndCountPlays: each delivery numbered once, the charts and the lake counts from that table',
        'baseline:  tallyTopSongs, then countLakeFiles: the files read for each (what chart-hourly did before)',
        `ratio:     baseline ÷ figure; median of ${planFor(options).runs} runs after ${planFor(options).warmups} warm-up, ± half the range`,
      ],
      [
        {
          name: 'charts and lake counts together vs apart',
          figure: formatSeconds(stats.together),
          baseline: formatSeconds(stats.apart),
          ratio: formatRatio(stats.together, stats.apart),
        },
      ],
    );
  });
}
