/** The pictures: each opens the dashboard on one view, as a user would get there, and waits until it is drawn. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium } from '../../devkit/browser.ts';
import type { Song } from '../../simulator/index.ts';
import { paletted } from './png.ts';

const HOUR = 3_600_000;

export interface ScreenshotOptions {
  readonly url: string;
  readonly outDir: string;
  readonly openHour: Date;
  readonly openMinutes: number;
  /** A song that climbs, and the region where it climbs most: the trend picture follows it. */
  readonly riser: { readonly song: Song; readonly home: string };
  /** An hour that late plays restated after it was final. */
  readonly restatedHour: Date;
}

const common: BrowserContextOptions = {
  deviceScaleFactor: 1,
  locale: 'en-GB',
  timezoneId: 'UTC',
  // Also turns the charts' animations off: a picture never catches a bar half grown.
  reducedMotion: 'reduce',
};
export const desktop: BrowserContextOptions = { ...common, viewport: { width: 1280, height: 800 } };
export const phone: BrowserContextOptions = {
  ...common,
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
};

/** Drawn: the charts' rows and canvases are there, the fonts loaded, and no request is pending. */
async function settled(page: Page): Promise<void> {
  await page.getByTestId('chart-row').first().waitFor();
  await page.waitForLoadState('networkidle');
  await page.evaluate('document.fonts.ready.then(() => undefined)');
}

export async function takeScreenshots(options: ScreenshotOptions): Promise<string[]> {
  const { url, outDir, openHour, openMinutes, riser, restatedHour } = options;
  const H = (offset: number) => new Date(openHour.getTime() + offset * HOUR).toISOString();
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const browser: Browser = await launchChromium();

  const shoot = async (
    name: string,
    context: BrowserContextOptions,
    path: string,
    act: (page: Page) => Promise<void> = async () => {},
  ) => {
    const session = await browser.newContext(context);
    const page = await session.newPage();
    // The page's clock stands a few minutes into the open hour, where the plays stop: the boundary view.
    await page.clock.setFixedTime(new Date(openHour.getTime() + openMinutes * 60_000));
    await page.goto(`${url}${path}`);
    await settled(page);
    await act(page);
    const file = join(outDir, `${name}.png`);
    await writeFile(file, paletted(await page.screenshot()));
    written.push(file);
    await session.close();
  };

  try {
    // The default view just after an hour boundary: the hour that just became final, above the live one.
    await shoot('boundary', desktop, '/?region=global&period=hour');
    // The live chart of the open hour (the live-chart function's tallies, refreshed every 2 s), with its freshness.
    const livePanel = (page: Page) =>
      page.locator('[data-testid="chart-panel"][data-kind="live"]').getByTestId('chart-freshness');
    await shoot('live', desktop, '/?region=global&period=hour', (page) =>
      livePanel(page).scrollIntoViewIfNeeded(),
    );
    // The open day, live, on a phone.
    await shoot('phone-live', phone, '/?region=global&period=day', (page) => livePanel(page).waitFor());
    // A closed hour with its movement: arrows, NEW and RE-ENTRY, previous rank, peak, hours on chart.
    await shoot('chart-movement', desktop, `/?region=${riser.home}&period=hour&start=${H(-1)}`, (page) =>
      page.getByTestId('chart-panel').scrollIntoViewIfNeeded(),
    );
    // Stepping back through the history: six hours before, by the Previous button, the strip following.
    await shoot('history', desktop, `/?region=global&period=hour&start=${H(-1)}`, async (page) => {
      for (let step = 2; step <= 7; step++) {
        await page.getByTestId('history-previous').click();
        await page.waitForURL((address) => address.searchParams.get('start') === H(-step));
      }
      await settled(page);
    });
    // One song's climb: its rank (an inverted axis) and plays, hour by hour, in the region it climbs in.
    await shoot(
      'song-trend',
      desktop,
      `/?region=${riser.home}&period=hour&start=${H(-1)}&song=${riser.song.song_id}`,
      (page) => page.getByTestId('trend-canvas').waitFor(),
    );
    // Every region's podium for the same hour.
    await shoot('regions', desktop, `/?region=global&period=hour&start=${H(-1)}`, (page) =>
      page.getByTestId('region-comparison').scrollIntoViewIfNeeded(),
    );
    // An hour restated by late plays, on a desktop and a phone: its "Restated HH:MM UTC" badge.
    const restated = `/?region=global&period=hour&start=${restatedHour.toISOString()}`;
    await shoot('restated', desktop, restated, (page) => page.getByTestId('chart-restated').waitFor());
    await shoot('phone-restated', phone, restated, (page) => page.getByTestId('chart-restated').waitFor());
    // One genre's chart (the plays of the catalog's pop songs only), picked in the toolbar's genre filter.
    const genre = `/?region=global&period=hour&start=${H(-1)}&genre=pop`;
    await shoot('genre', desktop, genre);
    await shoot('phone-genre', phone, genre);
    await shoot('phone-chart', phone, `/?region=${riser.home}&period=hour&start=${H(-1)}`);
    await shoot(
      'phone-song-trend',
      phone,
      `/?region=${riser.home}&period=hour&start=${H(-1)}&song=${riser.song.song_id}`,
      (page) => page.getByTestId('trend-canvas').waitFor(),
    );
  } finally {
    await browser.close();
  }
  return written;
}
