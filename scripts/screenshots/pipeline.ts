/**
 * The Pipeline view's pictures (`npm run screenshots`, or `-- pipeline` for these alone): an hour of plays posted
 * through ingest (some invalid, some resent, some short), written by the lake-writer and charted, so that every
 * hop reconciles; then a play arriving after the chart ran, so that the hops it is missing from turn red.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContextOptions } from 'playwright-core';
import { launchChromium } from '../../devkit/browser.ts';
import { readLakeRows } from '../../devkit/lake.ts';
import { generateTraffic } from '../../devkit/play-batches.ts';
import { postPlays } from '../../devkit/post-plays.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { invokeFunction } from '../../local/functions.ts';
import type { LocalRuntime } from '../../local/runtime.ts';
import { paletted } from './png.ts';

export async function takePipelineScreenshots(options: {
  readonly runtime: LocalRuntime;
  readonly dataDir: string;
  readonly outDir: string;
  /** A closed hour no other picture uses. */
  readonly hour: Date;
  readonly desktop: BrowserContextOptions;
  readonly phone: BrowserContextOptions;
}): Promise<string[]> {
  const { runtime, hour } = options;
  const traffic = generateTraffic({
    seed: 5,
    count: 1500,
    windowStart: hour,
    windowMs: 3_600_000,
    regions: runtime.settings.regions,
    songs: 40,
  });
  for (let start = 0; start < traffic.events.length; start += 250) {
    await postPlays(runtime, { events: traffic.events.slice(start, start + 250) });
  }
  const lakeDir = join(options.dataDir, 'lake');
  await waitFor(
    'every delivery in the lake',
    async () => ((await readLakeRows(lakeDir)).length >= traffic.deliveries.length ? true : undefined),
    60_000,
    250,
  );
  await invokeFunction('chart-hourly', { window_start: hour.toISOString() });

  const path = `/?view=pipeline&region=us&period=hour&start=${hour.toISOString()}`;
  const written: string[] = [];
  const browser = await launchChromium();
  const shoot = async (name: string, context: BrowserContextOptions) => {
    const session = await browser.newContext(context);
    const page = await session.newPage();
    await page.goto(`${runtime.url}${path}`);
    await page.getByTestId('pipeline-flow').waitFor();
    await page.waitForLoadState('networkidle');
    const file = join(options.outDir, `${name}.png`);
    await writeFile(file, paletted(await page.screenshot({ fullPage: true })));
    written.push(file);
    await session.close();
  };
  try {
    await shoot('pipeline', options.desktop);
    // A late play: accepted, not in the lake counts until the hour is charted again.
    await postPlays(runtime, {
      event_id: randomUUID(),
      user_id: 'late-listener',
      song_id: 'song-000001',
      region: 'us',
      played_at: new Date(hour.getTime() + 3_000_000).toISOString(),
      ms_played: 180_000,
    });
    await shoot('pipeline-mismatch', options.desktop);
    await shoot('phone-pipeline', options.phone);
  } finally {
    await browser.close();
  }
  return written;
}
