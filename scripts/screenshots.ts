/**
 * `npm run screenshots`: pictures of the dashboard's main views, taken from the real product, for the README.
 *
 * Starts the local runtime (embedded transport, lake folder and PostgreSQL in a temporary folder), gives it a
 * day and a bit of plays with a story (scripts/screenshots/history.ts) through the lake-writer function, runs
 * the real chart jobs for every hour and day, then opens the dashboard in Chromium at desktop and phone sizes and
 * writes the PNGs to docs/screenshots/. Needs the built dashboard (the npm script builds it) and Chromium.
 * `npm run screenshots -- pipeline` takes only the Pipeline view's (scripts/screenshots/pipeline.ts).
 */
import '../local/quiet-logs.ts';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { handPlaysTo, writePlaysThroughLakeWriter } from '../devkit/lake.ts';
import { makeTempDir } from '../devkit/temp-dir.ts';
import { invokeFunction, projectRoot } from '../local/functions.ts';
import { startLocalRuntime } from '../local/runtime.ts';
import { generateCatalog } from '../simulator/index.ts';
import { fixedSongs } from '../src/adapters/catalog/fixed-song-source.ts';
import { storyHistory } from './screenshots/history.ts';
import { takePipelineScreenshots } from './screenshots/pipeline.ts';
import { desktop, phone, takeScreenshots } from './screenshots/views.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SEED = 7;
/** The open hour has this many minutes of plays: the pictures show the view right after an hour boundary. */
const OPEN_MINUTES = 5;

/** The history's pictures: a day and a bit of plays with a story, charted, in every view but the pipeline's. */
async function historyPictures(): Promise<void> {
  const openHour = new Date(Math.floor(Date.now() / HOUR) * HOUR);
  const history = storyHistory({
    seed: SEED,
    catalog,
    openHour,
    openMinutes: OPEN_MINUTES,
    closedHours: 30,
    busyHourPlays: 3000,
  });
  let offset = 0;
  for (const hour of history.hours) {
    await writePlaysThroughLakeWriter(hour.plays, { partition: 0, firstOffset: offset });
    // The live chart gets the same records from its own group: it tallies the open hour and day (and skips the rest).
    await handPlaysTo('live-chart', hour.plays, { partition: 0, firstOffset: offset });
    offset += hour.plays.length;
  }
  console.log(`${offset} plays over ${history.hours.length} hours written to the lake; charting…`);
  const days = new Set<number>();
  for (const { start } of history.hours) {
    await invokeFunction('chart-hourly', { period: 'hour', window_start: start.toISOString() });
    days.add(Math.floor(start.getTime() / DAY) * DAY);
  }
  for (const day of days) {
    await invokeFunction('chart-daily', { period: 'day', window_start: new Date(day).toISOString() });
  }
  // Late plays for an hour charted final hours ago, through the lake-writer, and the next scheduled run: the
  // hour is restated by itself (docs/contracts.md, "Restatements").
  const restatedHour = new Date(openHour.getTime() - 3 * HOUR);
  const lateHour = history.hours.find((hour) => hour.start.getTime() === restatedHour.getTime())!;
  const late = lateHour.plays.slice(0, 600).map((play) => ({ ...play, event_id: randomUUID() }));
  await writePlaysThroughLakeWriter(late, { partition: 1, firstOffset: 0 });
  await invokeFunction('chart-hourly', {});
  const written = await takeScreenshots({
    url: runtime.url,
    outDir,
    openHour,
    openMinutes: OPEN_MINUTES,
    riser: history.risers[0]!,
    restatedHour,
  });
  for (const file of written) console.log(`wrote ${file}`);
}

const outDir = join(projectRoot, 'docs', 'screenshots');
const dataDir = await makeTempDir('screenshots');
const catalog = generateCatalog({ seed: SEED });
const runtime = await startLocalRuntime({
  env: { TOP_SONGS_DATA_DIR: dataDir.path, PORT: '0' },
  schedules: false,
  defaultCatalog: fixedSongs(catalog),
});
const pipelineOnly = process.argv[2] === 'pipeline';
try {
  await invokeFunction('catalog-sync', {});
  if (!pipelineOnly) await historyPictures();
  // An hour of its own: older than the history's, or the last closed one when the history is not made.
  const pipelineHour = new Date(Math.floor(Date.now() / HOUR) * HOUR - (pipelineOnly ? 1 : 40) * HOUR);
  const pictures = await takePipelineScreenshots({
    runtime,
    dataDir: dataDir.path,
    outDir,
    hour: pipelineHour,
    desktop,
    phone,
  });
  for (const file of pictures) console.log(`wrote ${file}`);
} finally {
  await runtime.stop();
  await dataDir.remove();
}
