/** The live-chart use case with a fake store: what it hands the store, and how a failure comes back. */
import { describe, expect, it } from 'vitest';
import type { ConsumedRecord } from '../../../src/domain/consumed-record.ts';
import type { LiveDelivery } from '../../../src/domain/live-chart.ts';
import { StoreUnavailableError } from '../../../src/ports/chart-store.ts';
import { keepLiveCharts } from '../../../src/use-cases/keep-live-charts.ts';

const now = new Date('2026-11-20T11:02:00Z');

function record(partition: number, offset: number, fields: Record<string, unknown>): ConsumedRecord {
  return {
    topic: 'song-plays',
    partition,
    offset,
    timestamp: now.getTime(),
    value: JSON.stringify({
      event_id: `00000000-0000-4000-8000-${String(offset).padStart(12, '0')}`,
      user_id: 'u1',
      song_id: 'song-001',
      region: 'us',
      played_at: '2026-11-20T10:59:00Z',
      ms_played: 45_000,
      ...fields,
    }),
  };
}

function recordingStore(fail?: Error) {
  const batches: { deliveries: readonly LiveDelivery[]; now: Date }[] = [];
  return {
    batches,
    addDeliveries: async (deliveries: readonly LiveDelivery[], at: Date) => {
      if (fail) throw fail;
      batches.push({ deliveries, now: at });
      return deliveries.length;
    },
  };
}

describe('keepLiveCharts', () => {
  it('hands the store each valid play in its hour and day, the 30 s rule marked, the position kept', async () => {
    const live = recordingStore();
    const summary = await keepLiveCharts(
      [record(2, 7, { ms_played: 29_999 }), record(2, 8, { region: 'atlantis' }), record(0, 3, {})],
      { live, regions: ['us', 'gb'], clock: () => now },
    );
    expect(summary).toEqual({ changed: 4, invalid: 1, notLive: 0, failures: [] });
    const [batch] = live.batches;
    expect(batch?.now).toEqual(now);
    expect(
      batch?.deliveries.map((d) => [
        d.period,
        d.window_start.toISOString(),
        d.partition,
        d.offset,
        d.counted,
      ]),
    ).toEqual([
      ['hour', '2026-11-20T10:00:00.000Z', 2, 7, false],
      ['day', '2026-11-20T00:00:00.000Z', 2, 7, false],
      ['hour', '2026-11-20T10:00:00.000Z', 0, 3, true],
      ['day', '2026-11-20T00:00:00.000Z', 0, 3, true],
    ]);
  });

  it('leaves plays of final windows to the chart jobs', async () => {
    const live = recordingStore();
    // Two hours old: its hour is final, its day still open.
    const summary = await keepLiveCharts([record(0, 1, { played_at: '2026-11-20T09:00:00Z' })], {
      live,
      regions: ['us'],
      clock: () => now,
    });
    expect(summary.notLive).toBe(0);
    expect(live.batches[0]?.deliveries.map((d) => d.period)).toEqual(['day']);
    const yesterday = await keepLiveCharts([record(0, 2, { played_at: '2026-11-19T12:00:00Z' })], {
      live,
      regions: ['us'],
      clock: () => now,
    });
    expect(yesterday.notLive).toBe(1);
    expect(live.batches[1]?.deliveries).toEqual([]);
  });

  it('fails every partition of the batch from its first record when the store is out of reach', async () => {
    const live = recordingStore(new StoreUnavailableError('connection refused', 5));
    const summary = await keepLiveCharts([record(1, 9, {}), record(1, 8, {}), record(0, 4, {})], {
      live,
      regions: ['us'],
      clock: () => now,
    });
    expect(summary.failures).toEqual([
      { topic: 'song-plays', partition: 1, offset: 8, reason: 'connection refused' },
      { topic: 'song-plays', partition: 0, offset: 4, reason: 'connection refused' },
    ]);
  });
});
