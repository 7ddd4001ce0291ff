/**
 * The end-to-end check each transport's tests share: post generated traffic to a running instance,
 * wait until the lake holds every accepted delivery once, chart the hour, and compare every chart
 * with the independent reference.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { invokeFunction } from '../../src/local/functions.ts';
import { type LakeRow, readLakeRows } from './lake.ts';
import { type LocalProcess, startLocalProcess } from './local-process.ts';
import { type GeneratedTraffic, generateTraffic } from './play-batches.ts';
import { referenceCharts } from './reference-charts.ts';
import { waitFor } from './wait-for.ts';

const HOUR = 3_600_000;

/** The traffic every transport's pipeline test sends: 2,000 seeded plays in the last closed hour. */
export function lastHourTraffic(): { hourStart: Date; traffic: GeneratedTraffic } {
  const hourStart = new Date(Math.floor(Date.now() / HOUR) * HOUR - HOUR);
  const traffic = generateTraffic({
    seed: 11,
    count: 2000,
    windowStart: hourStart,
    windowMs: HOUR,
    regions: ['us', 'gb', 'de'],
    songs: 30,
  });
  return { hourStart, traffic };
}

export async function expectExactPipeline(options: {
  readonly url: string;
  readonly dataDir: string;
  readonly traffic: GeneratedTraffic;
  readonly hourStart: Date;
  readonly regions: readonly string[];
}): Promise<LakeRow[]> {
  const { url, dataDir, traffic, hourStart } = options;
  for (let start = 0; start < traffic.events.length; start += 250) {
    const response = await fetch(`${url}/v1/plays`, {
      method: 'POST',
      body: JSON.stringify({ events: traffic.events.slice(start, start + 250) }),
    });
    const body = (await response.json()) as { accepted: number };
    expect(response.status).toBe(202);
    expect(body.accepted).toBe(traffic.valid.slice(start, start + 250).filter(Boolean).length);
  }
  const rows = await waitFor(
    'the lake to hold every accepted play',
    async () => {
      const found = await readLakeRows(join(dataDir, 'lake'));
      return found.length >= traffic.deliveries.length ? found : undefined;
    },
    60_000,
  );
  expect(rows).toHaveLength(traffic.deliveries.length);
  expect(new Set(rows.map((row) => `${row.source_partition}@${row.source_offset}`)).size).toBe(rows.length);

  await invokeFunction('chart-hourly', { window_start: hourStart.toISOString() });
  const expected = referenceCharts(traffic.deliveries, hourStart, new Date(hourStart.getTime() + HOUR));
  for (const region of ['global', ...options.regions]) {
    const response = await fetch(
      `${url}/v1/charts?region=${region}&period=hour&start=${hourStart.toISOString()}`,
    );
    const chart = (await response.json()) as {
      eligible_plays: number;
      entries: { song_id: string; plays: number; rank: number }[];
    };
    expect(chart.eligible_plays).toBe(expected.get(region)?.eligible_plays);
    expect(chart.entries.map(({ rank, song_id, plays }) => ({ rank, song_id, plays }))).toEqual(
      expected.get(region)?.entries,
    );
  }
  return rows;
}

/**
 * Posts the plays to `npm start` (run with `env`), kills it with SIGKILL as soon as they are acknowledged,
 * starts it again, and expects the lake to end with every acknowledged play exactly once.
 */
export async function expectExactlyOnceAcrossKill(options: {
  readonly env: Record<string, string>;
  readonly dataDir: string;
  readonly events: readonly { readonly event_id: string }[];
}): Promise<void> {
  const { env, dataDir, events } = options;
  let running: LocalProcess | undefined = await startLocalProcess(env, ['--no-simulator']);
  try {
    for (let start = 0; start < events.length; start += 200) {
      const response = await fetch(`${running.url}/v1/plays`, {
        method: 'POST',
        body: JSON.stringify({ events: events.slice(start, start + 200) }),
      });
      expect(response.status).toBe(202);
    }
    await running.stop('SIGKILL');
    running = await startLocalProcess(env, ['--no-simulator']);
    const rows = await waitFor(
      'the restarted consumer to write every acknowledged play',
      async () => {
        const found = await readLakeRows(join(dataDir, 'lake'));
        return found.length >= events.length ? found : undefined;
      },
      90_000,
      250,
    );
    expect(rows).toHaveLength(events.length);
    expect(new Set(rows.map((row) => row.event_id))).toEqual(new Set(events.map((event) => event.event_id)));
  } finally {
    await running?.stop('SIGTERM');
  }
}
