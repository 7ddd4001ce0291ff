/**
 * The dashboard's history, movement, trends and regions in Chromium against the real local runtime: plays
 * written to the lake through the lake-writer, five consecutive hours charted by the real jobs into embedded
 * PostgreSQL, served by the charts API; what the page shows is compared with the tests' independent references.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDashboardIfMissing, launchChromium } from '../../devkit/browser.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { invokeFunction } from '../../local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { fixedSongs } from '../../src/adapters/catalog/fixed-song-source.ts';
import {
  type ChartHistoryStory,
  type ExpectedEntry,
  storyCatalog,
  writeChartHistoryStory,
} from '../support/chart-history-story.ts';

const WAIT = { timeout: 15_000, interval: 100 };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The runtime's clock: running, but 20 minutes into the current hour when the suite starts, so that the hour
 * before is past its grace (`final`) and the open hour stays open for the whole suite, whenever it runs (on the
 * real clock, the first minutes of an hour made the hour before `closing`).
 */
const suiteStart = Date.now();
const runtimeNow = Math.floor(suiteStart / HOUR) * HOUR + 20 * MINUTE;
const runtimeClock = () => new Date(runtimeNow + (Date.now() - suiteStart));

let runtime: LocalRuntime;
let browser: Browser;
let removeDataDir: () => Promise<void>;
let story: ChartHistoryStory;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  buildDashboardIfMissing();
  const dir = await makeTempDir('dashboard-history');
  removeDataDir = dir.remove;
  runtime = await startLocalRuntime({
    env: { TOP_SONGS_DATA_DIR: dir.path, PORT: '0' },
    schedules: false,
    defaultCatalog: fixedSongs(storyCatalog),
    clock: runtimeClock,
  });
  await invokeFunction('catalog-sync', {});
  story = await writeChartHistoryStory(runtimeClock());
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  await removeDataDir?.();
});

async function openContext(viewport = { width: 1280, height: 900 }) {
  context = await browser.newContext({
    viewport,
    locale: 'en-GB',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
  });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
}

beforeEach(async () => {
  pageErrors.length = 0;
  await openContext();
});

afterEach(async () => {
  await context?.close();
  expect(pageErrors, 'uncaught errors in the page').toEqual([]);
});

const titleOf = (songId: string) => storyCatalog.find((song) => song.song_id === songId)?.title;
const panel = (window: string) => page.locator(`[data-testid="chart-panel"][data-window="${window}"]`);
const start = () => new URL(page.url()).searchParams.get('start');
// biome-ignore lint/performance/useDomNodeTextContent: this is Playwright's Locator API
const text = (locator: Locator) => locator.innerText();

/** What a panel's table shows, row by row, in the shape of the expectations. */
async function shownEntries(chart: Locator): Promise<ExpectedEntry[]> {
  const rows = await chart.getByTestId('chart-row').all();
  return Promise.all(
    rows.map(async (row) => ({
      rank: Number(await text(row.getByTestId('row-rank'))),
      song_id: (await row.getAttribute('data-song')) ?? '',
      plays: Number(await text(row.getByTestId('row-plays'))),
      previous_rank:
        (await text(row.getByTestId('row-previous'))) === '–'
          ? null
          : Number(await text(row.getByTestId('row-previous'))),
      movement: (await row.getByTestId('row-movement').getAttribute('data-movement')) ?? '',
      peak_rank: Number(await text(row.getByTestId('row-peak'))),
      periods_on_chart: Number(await text(row.getByTestId('row-periods'))),
    })),
  );
}

/** The panel of `window` shows the chart the references expect for `region` at `offset`. */
/** The history picker's controls and the region select lie within the screen's width, none pushed past it. */
async function expectControlsOnScreen(screenWidth: number) {
  const controls = ['history-previous', 'history-next', 'history-date', 'history-hour', 'history-go'];
  for (const control of [...controls, 'region-select']) {
    const box = await page.getByTestId(control).boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= screenWidth, `${control} on screen`).toBe(true);
  }
  // Wide enough for "23:00" and its arrow: beside the date it was cut to "13:0" (89 px wide at 390, 41 at 320).
  const hour = await page.getByTestId('history-hour').boundingBox();
  expect(hour?.width).toBeGreaterThanOrEqual(96);
}

async function expectChart(region: string, offset: number) {
  const chart = panel(story.hour(offset));
  const expected = story.expected(region, offset);
  await expect.poll(() => chart.getByTestId('chart-row').count(), WAIT).toBe(expected.length);
  expect(await shownEntries(chart)).toEqual(expected);
  expect(await chart.getByTestId('row-title').allInnerTexts()).toEqual(
    expected.map((e) => titleOf(e.song_id)),
  );
}

describe('dashboard history against the real runtime', { timeout: 90_000 }, () => {
  it('a shared link opens that window’s chart, with movement, previous rank, peak and hours on chart', async () => {
    await page.goto(`${runtime.url}/?region=gb&period=hour&start=${story.hour(-2)}`);
    await expectChart('gb', -2);
    const chart = panel(story.hour(-2));
    expect(await text(chart.getByTestId('chart-status'))).toBe('Final');
    // Every kind of movement the story holds is shown as public charts mark it.
    expect(story.expected('gb', -2).map((entry) => entry.movement)).toEqual([
      'same',
      'same',
      're-entry',
      'down',
    ]);
    expect(
      (await chart.getByTestId('row-movement').allInnerTexts()).map((shown) => shown.split('\n')[0]),
    ).toEqual(['=', '=', 'RE-ENTRY', '▼ 1']);
    expect(await page.getByTestId('region-select').inputValue()).toBe('gb');
  });

  it('previous and next step through the windows, and the back button retraces the steps', async () => {
    await page.goto(`${runtime.url}/?region=gb&period=hour&start=${story.hour(-2)}`);
    await expectChart('gb', -2);
    await page.getByTestId('history-previous').click();
    await expect.poll(start, WAIT).toBe(story.hour(-3));
    await expectChart('gb', -3);
    await page.getByTestId('history-next').click();
    await page.getByTestId('history-next').click();
    await expect.poll(start, WAIT).toBe(story.hour(-1));
    await expectChart('gb', -1);
    expect(story.expected('gb', -1).map((entry) => entry.movement)).toEqual(['new', 'up', 'down', 'down']);

    await page.goBack();
    await expect.poll(start, WAIT).toBe(story.hour(-2));
    await expectChart('gb', -2);
    await page.goBack();
    await expect.poll(start, WAIT).toBe(story.hour(-3));
    await expectChart('gb', -3);
    await page.goForward();
    await expectChart('gb', -2);

    // The first charted hour has nothing before it; the open hour has nothing after it.
    await page.goto(`${runtime.url}/?region=gb&period=hour&start=${story.hour(-4)}`);
    await expectChart('gb', -4);
    await expect.poll(() => page.getByTestId('history-previous').isDisabled(), WAIT).toBe(true);
    await page.goto(`${runtime.url}/?region=gb&period=hour&start=${story.hour(0)}`);
    await expect.poll(() => page.getByTestId('history-next').isDisabled(), WAIT).toBe(true);
  });

  it('the date and hour picker and the window strip jump to a window; Latest returns to the live chart', async () => {
    await page.goto(`${runtime.url}/?region=gb&period=hour`);
    await page.getByTestId('window-strip').waitFor();
    const target = new Date(story.hour(-4));
    await page.getByTestId('history-date').fill(target.toISOString().slice(0, 10));
    await page.getByTestId('history-hour').selectOption(String(target.getUTCHours()));
    await page.getByTestId('history-go').click();
    await expect.poll(start, WAIT).toBe(story.hour(-4));
    await expectChart('gb', -4);

    // The strip has a bar for each charted hour, oldest first; one is a link to that hour.
    const bars = page.getByTestId('window-strip').locator('button');
    expect(
      await bars.evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-window'))),
    ).toEqual([-4, -3, -2, -1, 0].map(story.hour));
    await bars.nth(2).click();
    await expect.poll(start, WAIT).toBe(story.hour(-2));
    expect(await bars.nth(2).getAttribute('aria-current')).toBe('true');

    await page.getByTestId('history-latest').click();
    await expect.poll(start, WAIT).toBeNull();
    await expect.poll(() => panel(story.hour(0)).getAttribute('data-kind'), WAIT).toBe('live');
  });

  it('right after a boundary the default view shows the hour that just became final above the live one', async () => {
    await page.clock.setFixedTime(new Date(Date.parse(story.hour(0)) + 5 * MINUTE));
    await page.goto(`${runtime.url}/?region=gb&period=hour`);
    const panels = page.getByTestId('chart-panel');
    await expect.poll(() => panels.count(), WAIT).toBe(2);
    expect(await panels.nth(0).getAttribute('data-kind')).toBe('just-final');
    expect(await panels.nth(0).getAttribute('data-window')).toBe(story.hour(-1));
    expect(await panels.nth(1).getAttribute('data-kind')).toBe('live');
    expect(await panels.nth(1).getAttribute('data-window')).toBe(story.hour(0));
    await expectChart('gb', -1);
    await expectChart('gb', 0);
    expect(await text(panels.nth(0).getByTestId('chart-status'))).toBe('Final');
    expect(await text(panels.nth(1).getByTestId('chart-status'))).toBe('Live · provisional');
    expect(await text(page.getByTestId('chart-announcement'))).toContain('below the final chart of');
  });

  it('later in an hour the default view is the live chart alone', async () => {
    await page.clock.setFixedTime(new Date(Date.parse(story.hour(0)) + 40 * MINUTE));
    await page.goto(`${runtime.url}/?region=gb&period=hour`);
    await expectChart('gb', 0);
    expect(await page.getByTestId('chart-panel').count()).toBe(1);
    expect(await panel(story.hour(0)).getAttribute('data-kind')).toBe('live');
  });

  it('a song opens its trend: rank and plays per hour, per region; Escape and the back button close it', async () => {
    await page.goto(`${runtime.url}/?region=gb&period=hour&start=${story.hour(-1)}`);
    await expectChart('gb', -1);
    const link = panel(story.hour(-1)).locator('[data-song="song-c"]').getByTestId('row-song-link');
    await link.focus();
    await page.keyboard.press('Enter');
    const trend = page.getByTestId('song-trend');
    await trend.waitFor();
    expect(new URL(page.url()).searchParams.get('song')).toBe('song-c');
    // The dialog names the song by its id until its history (with the catalog title) has loaded.
    await expect.poll(() => text(trend.getByTestId('trend-title')), WAIT).toBe('Copper Moon');

    const numbers = async () => {
      await trend.locator('details').evaluate((details) => details.setAttribute('open', ''));
      return Promise.all(
        (await trend.getByTestId('trend-row').all()).map(async (row) => ({
          rank: Number(await text(row.getByTestId('trend-rank'))),
          plays: Number(await text(row.getByTestId('trend-plays'))),
        })),
      );
    };
    const history = (region: string) =>
      story.songHistory(region, 'song-c').map(({ rank, plays }) => ({ rank, plays }));
    expect(await trend.locator('[data-region="gb"]').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(numbers, WAIT).toEqual(history('gb'));
    expect(await trend.getByTestId('trend-canvas').getAttribute('aria-label')).toContain(
      `peak #${Math.min(...history('gb').map((point) => point.rank))}`,
    );
    await trend.locator('[data-region="global"]').click();
    await expect.poll(numbers, WAIT).toEqual(history('global'));

    await page.keyboard.press('Escape');
    await trend.waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.get('song')).toBeNull();
    expect(start()).toBe(story.hour(-1));
    // Focus is back where the keyboard left it: on the song's link.
    expect(await link.evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);

    await link.click();
    await trend.waitFor();
    await page.goBack();
    await trend.waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.get('song')).toBeNull();
  });

  it('a link to an unknown song says so', async () => {
    await page.goto(`${runtime.url}/?region=gb&period=hour&song=song-nobody`);
    await page.getByTestId('trend-empty').waitFor();
    expect(await text(page.getByTestId('trend-empty'))).toContain('No history for this song.');
  });

  it('the region comparison shows every region’s #1–#3 for the same hour, and switches region', async () => {
    await page.goto(`${runtime.url}/?region=gb&period=hour&start=${story.hour(-1)}`);
    const cards = page.getByTestId('region-card');
    await expect.poll(() => cards.count(), WAIT).toBe(1 + runtime.settings.regions.length);
    for (const region of ['global', ...runtime.settings.regions]) {
      const card = page.locator(`[data-testid="region-card"][data-region="${region}"]`);
      const podium = story
        .expected(region, -1)
        .slice(0, 3)
        .map((entry) => titleOf(entry.song_id));
      await expect.poll(() => card.getByTestId('region-title').allInnerTexts(), WAIT).toEqual(podium);
      if (podium.length === 0) expect(await text(card)).toContain('No eligible plays.');
    }
    await page.locator('[data-testid="region-card"][data-region="us"]').getByRole('button').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('region'), WAIT).toBe('us');
    expect(start()).toBe(story.hour(-1));
    await expectChart('us', -1);
  });

  it('fits a phone: no sideways scrolling, the extra columns folded under each song, the trend on screen', async () => {
    await context.close();
    await openContext({ width: 390, height: 844 });
    await page.goto(`${runtime.url}/?region=gb&period=hour&start=${story.hour(-1)}`);
    await expectChart('gb', -1);
    const width = await page.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    const row = panel(story.hour(-1)).getByTestId('chart-row').first();
    expect(await row.getByTestId('row-peak').isVisible()).toBe(false);
    expect(await text(row)).toContain(`Peak ${story.expected('gb', -1)[0]?.peak_rank}`);
    await expectControlsOnScreen(390);
    await row.getByTestId('row-song-link').click();
    const box = await page.getByTestId('song-trend').boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
  });

  it('fits a small phone too: no sideways scrolling, every history control on screen', async () => {
    await context.close();
    await openContext({ width: 320, height: 700 });
    await page.goto(`${runtime.url}/?region=gb&period=hour&start=${story.hour(-1)}`);
    await expectChart('gb', -1);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(320);
    await expectControlsOnScreen(320);
  });
});
