import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLakeRows } from '../../devkit/lake.ts';
import { generateTraffic } from '../../devkit/play-batches.ts';
import { postPlays } from '../../devkit/post-plays.ts';
import { type ReferenceChart, referenceCharts } from '../../devkit/reference-charts.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { writeCatalog } from '../../local/catalog.ts';
import { invokeFunction } from '../../local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { clockPastGraceOf } from '../support/test-clock.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const regions = ['us', 'gb', 'de', 'br'];

describe('the whole pipeline in local mode', () => {
  let dataDir: string;
  let removeDataDir: () => Promise<void>;
  let runtime: LocalRuntime;
  // Yesterday (UTC): a closed day, with a closed hour in its middle, so every chart is final and no play
  // lies in the future, whatever the time of day the test runs.
  const dayStart = new Date((Math.floor(Date.now() / DAY) - 1) * DAY);
  const hourStart = new Date(dayStart.getTime() + 12 * HOUR);
  const traffic = generateTraffic({
    seed: 7,
    count: 4000,
    // Half the plays fall in the charted hour, the other half in the hour after it (same day).
    windowStart: hourStart,
    windowMs: 2 * HOUR,
    regions,
    songs: 60,
  });
  const playable = traffic.deliveries;

  beforeAll(async () => {
    ({ path: dataDir, remove: removeDataDir } = await makeTempDir('e2e'));
    runtime = await startLocalRuntime({
      env: { TOP_SONGS_DATA_DIR: dataDir, PORT: '0', REGIONS: regions.join(',') },
      schedules: false,
      // Yesterday's day is closing for the first minutes after midnight: hold the clock past its grace.
      clock: clockPastGraceOf(() => new Date(dayStart.getTime() + DAY)),
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    await removeDataDir();
  });

  it('accepts exactly the valid events and rejects each invalid one by index', async () => {
    let accepted = 0;
    for (let start = 0; start < traffic.events.length; start += 250) {
      const batch = traffic.events.slice(start, start + 250);
      const expectedValid = traffic.valid.slice(start, start + 250);
      const response = await postPlays(runtime, { events: batch });
      const body = (await response.json()) as { accepted: number; rejected: { index: number }[] };
      expect(response.status).toBe(202);
      expect(body.accepted).toBe(expectedValid.filter(Boolean).length);
      expect(body.rejected.map((rejection) => rejection.index)).toEqual(
        expectedValid.flatMap((ok, index) => (ok ? [] : [index])),
      );
      accepted += body.accepted;
    }
    expect(accepted).toBeGreaterThan(3000);
  });

  it('writes every accepted delivery to the lake exactly once', async () => {
    const lakeDir = join(dataDir, 'lake');
    const rows = await waitFor('the lake to hold every accepted play', async () => {
      const found = await readLakeRows(lakeDir);
      return found.length >= playable.length ? found : undefined;
    });
    expect(rows).toHaveLength(playable.length);
    const positions = new Set(rows.map((row) => `${row.source_partition}@${row.source_offset}`));
    expect(positions.size).toBe(rows.length);
    const sortKey = (play: { event_id: string; played_at: string }) => `${play.event_id}|${play.played_at}`;
    expect(rows.map(sortKey).sort()).toEqual(playable.map(sortKey).sort());
  });

  it('charts the hour and the day exactly as the chart rules say, with catalog titles', async () => {
    await writeCatalog(runtime.dependencies.lake(), [
      { song_id: 'song-000000', title: 'Opening Night', artist: 'The Testers', genre: 'pop' },
      { song_id: 'song-000001', title: 'Second Wind', artist: 'Vectors', genre: 'rock' },
    ]);
    await invokeFunction('catalog-sync', {});
    await invokeFunction('chart-hourly', { period: 'hour', window_start: hourStart.toISOString() });
    await invokeFunction('chart-daily', { period: 'day', window_start: dayStart.toISOString() });

    const expectedHour = referenceCharts(playable, hourStart, new Date(hourStart.getTime() + HOUR));
    const expectedDay = referenceCharts(playable, dayStart, new Date(dayStart.getTime() + DAY));
    // The traffic is rich enough to fill every chart and to exercise the tie-break.
    expect(expectedHour.get('global')?.entries).toHaveLength(10);
    expect(expectedHour.get('global')?.eligible_plays).toBeGreaterThan(1000);
    for (const [period, start, expected] of [
      ['hour', hourStart, expectedHour],
      ['day', dayStart, expectedDay],
    ] as const) {
      for (const region of ['global', ...regions]) {
        const chart = await getChart(region, period, start);
        const want: ReferenceChart = expected.get(region) ?? { eligible_plays: 0, entries: [] };
        expect({ region, period, eligible: chart.eligible_plays }).toEqual({
          region,
          period,
          eligible: want.eligible_plays,
        });
        expect(chart.entries.map(({ rank, song_id, plays }) => ({ rank, song_id, plays }))).toEqual(
          want.entries,
        );
        expect(chart.status).toBe('final');
      }
    }
    const global = await getChart('global', 'day', dayStart);
    const opening = global.entries.find((entry) => entry.song_id === 'song-000000');
    expect(opening).toMatchObject({ title: 'Opening Night', artist: 'The Testers', genre: 'pop' });
    const unknown = global.entries.find((entry) => !['song-000000', 'song-000001'].includes(entry.song_id));
    expect(unknown).toMatchObject({ title: null, artist: null });
  });

  it('recomputing every window from the lake gives the same charts', async () => {
    const served = () =>
      Promise.all(
        (['hour', 'day'] as const).flatMap((period) =>
          ['global', ...regions].map(async (region) => {
            // When it was computed, and so its as-of, changes with every run: only the chart itself must not.
            const {
              generated_at: _,
              as_of: __,
              ...chart
            } = await getChart(region, period, period === 'hour' ? hourStart : dayStart);
            return { region, period, chart };
          }),
        ),
      );
    const before = await served();
    await invokeFunction('chart-hourly', { window_start: hourStart.toISOString() });
    await invokeFunction('chart-daily', { window_start: dayStart.toISOString() });
    expect(await served()).toEqual(before);
  });

  interface ServedChart {
    status: string;
    eligible_plays: number;
    generated_at?: string;
    as_of?: string;
    entries: { rank: number; song_id: string; plays: number; title: string | null; artist: string | null }[];
  }

  async function getChart(region: string, period: string, start: Date): Promise<ServedChart> {
    const response = await fetch(
      `${runtime.url}/v1/charts?region=${region}&period=${period}&start=${start.toISOString()}`,
    );
    expect(response.status).toBe(200);
    return (await response.json()) as ServedChart;
  }
});
