/**
 * The counts scenario every transport runs against an in-process runtime (GET /v1/pipeline): seeded traffic with
 * short plays, invalid events and resent events into the last closed hour, then one play that the lake-writer
 * cannot write (its hour's folder is a file), dead-lettered once the runtime's clock says it is past the
 * trigger's maximum age. Every count of the hour (before and after compaction removes its duplicates from the
 * files), of the poison's hour and of their days must equal the counts computed from what was sent, and reconcile.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraffic } from '../../devkit/play-batches.ts';
import { postPlays } from '../../devkit/post-plays.ts';
import type { ReferencePlay } from '../../devkit/reference-charts.ts';
import { invokeFunction } from '../../local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { hourPartitionPrefix } from '../../src/domain/lake-layout.ts';
import { functionNamed, type TopicTrigger } from '../../src/topology.ts';
import { type CommittedOffsets, settledLakeRows } from './exact-pipeline.ts';
import { expectedHops, expectServedHops, getPipeline, hopsOf, waitForPipeline } from './pipeline-counts.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const regions = ['us', 'gb', 'de'];

/** A clock the runtime goes by, moved on by the scenario; pass `clock.now` as the runtime's clock. */
export function movableClock() {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    moveBy: (ms: number) => {
      offsetMs = ms;
    },
  };
}

/**
 * The counts scenario as a describe block of its own ("in one runtime"): a runtime on a movable clock started with
 * the transport's `env` in a data folder from `newDataDir`, stopped after.
 */
export function countsInOneRuntime(options: {
  readonly newDataDir: () => Promise<string>;
  readonly env: Record<string, string | undefined>;
  /** The lake-writer's committed offsets, given the runtime's data folder. */
  readonly committed: (dataDir: string) => CommittedOffsets;
}): void {
  describe('in one runtime', () => {
    let runtime: LocalRuntime;
    let dataDir: string;
    const clock = movableClock();

    beforeAll(async () => {
      dataDir = await options.newDataDir();
      runtime = await startLocalRuntime({
        env: { TOP_SONGS_DATA_DIR: dataDir, PORT: '0', REGIONS: regions.join(','), ...options.env },
        schedules: false,
        clock: clock.now,
      });
    });
    afterAll(async () => {
      await runtime?.stop();
    });

    it('counts clean traffic, duplicates, rejections and a dead letter exactly, and they reconcile', async () => {
      await expectCountsAtEveryHop({
        runtime,
        clock,
        lakeDir: join(dataDir, 'lake'),
        committed: options.committed(dataDir),
      });
    }, 180_000);
  });
}

export async function expectCountsAtEveryHop(options: {
  readonly runtime: LocalRuntime;
  readonly clock: ReturnType<typeof movableClock>;
  /** The runtime's lake folder. */
  readonly lakeDir: string;
  readonly committed: CommittedOffsets;
}): Promise<void> {
  const { runtime, clock, lakeDir } = options;
  const hourStart = new Date(Math.floor(Date.now() / HOUR) * HOUR - HOUR);
  const traffic = generateTraffic({
    seed: 23,
    count: 1200,
    windowStart: hourStart,
    windowMs: HOUR,
    regions,
    songs: 20,
  });
  const sentAt = new Date();
  for (let start = 0; start < traffic.events.length; start += 200) {
    const response = await postPlays(runtime, { events: traffic.events.slice(start, start + 200) });
    expect(response.status).toBe(202);
  }
  // Resent: the first 40 valid plays once more, in a request of their own (a client retrying).
  const resent = traffic.deliveries.slice(0, 40);
  expect((await postPlays(runtime, { events: resent })).status).toBe(202);
  const deliveries: ReferencePlay[] = [...traffic.deliveries, ...resent];
  const rejected = traffic.events.filter((_event, index) => !traffic.valid[index]);
  await settledLakeRows(lakeDir, deliveries.length, options.committed, 90_000);

  // The poison: a play of two hours earlier whose hour folder cannot be made.
  const poisonHour = new Date(hourStart.getTime() - 2 * HOUR);
  const blocker = join(lakeDir, hourPartitionPrefix(poisonHour).replace(/\/$/, ''));
  await mkdir(dirname(blocker), { recursive: true });
  await writeFile(blocker, 'not a folder: writes under it fail');
  const poison: ReferencePlay = {
    event_id: randomUUID(),
    song_id: 'song-000001',
    region: 'gb',
    played_at: new Date(poisonHour.getTime() + 600_000).toISOString(),
    ms_played: 90_000,
  };
  // Past the lake-writer's maximum record age by the runtime's clock: its first failure dead-letters it.
  const { maxRecordAgeSeconds } = functionNamed('lake-writer').trigger as TopicTrigger;
  clock.moveBy((maxRecordAgeSeconds + 60) * 1000);
  expect((await postPlays(runtime, { ...poison, user_id: 'poisoner' })).status).toBe(202);
  await waitForPipeline(runtime.url, 'hour', poisonHour, 'the dead letter counted', (pipeline) => {
    return hopsOf(pipeline, 'gb').dead_letters === 1;
  });
  clock.moveBy(0);
  await rm(blocker);

  for (const hour of [hourStart, poisonHour]) {
    await invokeFunction('chart-hourly', { window_start: hour.toISOString() });
  }
  const days = [...new Set([hourStart, poisonHour].map((hour) => Math.floor(hour.getTime() / DAY) * DAY))];
  for (const day of days) await invokeFunction('chart-daily', { window_start: new Date(day).toISOString() });

  // Rejected events without a readable played_at count in the hour they were received.
  const receivedHour = Math.floor(sentAt.getTime() / HOUR) * HOUR;
  const rejectedAsCounted = rejected.map((event) => {
    const fields = event as Record<string, unknown>;
    return Number.isNaN(Date.parse(String(fields.played_at)))
      ? { ...fields, played_at: new Date(receivedHour).toISOString() }
      : fields;
  });
  const expect_ = (start: Date, length: number) =>
    expectedHops({
      deliveries,
      rejected: rejectedAsCounted,
      deadLetters: [poison],
      start,
      end: new Date(start.getTime() + length),
      regions,
    });

  const askedAt = Date.now();
  const hour = await getPipeline(runtime.url, 'hour', hourStart);
  const answeredAt = Date.now();
  expectServedHops(hour, expect_(hourStart, HOUR));
  // The scenario is what it says: duplicates, short plays and rejections all happened in the hour.
  const global = hopsOf(hour, 'global');
  expect(global.duplicates).toBeGreaterThanOrEqual(40);
  expect(global.short_plays).toBeGreaterThan(0);
  expect(global.rejected_at_ingest.total).toBeGreaterThan(0);
  expect(global.dead_letters).toBe(0);

  // Compacted (its duplicates removed from the files), the hour's counts stay the same: in_lake still counts them.
  const compacted = (await invokeFunction('compact', {
    period: 'hour',
    window_start: hourStart.toISOString(),
  })) as {
    hours: { status: string }[];
  };
  expect(compacted.hours.map((hour) => hour.status)).toEqual(['compacted']);
  await invokeFunction('chart-hourly', { window_start: hourStart.toISOString() });
  expectServedHops(await getPipeline(runtime.url, 'hour', hourStart), expect_(hourStart, HOUR));

  const poisoned = await getPipeline(runtime.url, 'hour', poisonHour);
  expectServedHops(poisoned, expect_(poisonHour, HOUR));
  expect(hopsOf(poisoned, 'gb')).toMatchObject({ accepted: 1, in_lake: 0, dead_letters: 1 });

  for (const day of days) {
    const start = new Date(day);
    expectServedHops(await getPipeline(runtime.url, 'day', start), expect_(start, DAY));
  }

  // The lag: the lake's newest play is one of ours; every consumer has caught up.
  const newest = Math.max(...deliveries.map((play) => Date.parse(play.played_at)));
  expect(hour.lag_seconds.lake).toBeGreaterThanOrEqual((askedAt - newest) / 1000);
  expect(hour.lag_seconds.lake).toBeLessThanOrEqual((answeredAt - newest) / 1000);
  // The live chart tallies only the plays of windows not final yet (of these, perhaps today's): never newer ones.
  const live = hour.lag_seconds.live_chart;
  if (live !== null) expect(live).toBeGreaterThanOrEqual((askedAt - newest) / 1000);
  const consumers = new Set(hour.lag_seconds.partitions?.map((lag) => lag.consumer));
  expect(consumers).toEqual(new Set(['lake-writer', 'live-chart', 'dead-letter-counter']));
}
