/**
 * The end-to-end check each transport's tests share: post generated traffic to a running instance,
 * wait until the lake holds every accepted delivery once, chart the hour, and compare every chart
 * with the independent reference.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type LakeRow, readLakeRows } from '../../devkit/lake.ts';
import { type LocalProcess, startLocalProcess } from '../../devkit/local-process.ts';
import { type GeneratedTraffic, generateTraffic } from '../../devkit/play-batches.ts';
import { type PlaysApi, postPlays } from '../../devkit/post-plays.ts';
import { referenceCharts } from '../../devkit/reference-charts.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { invokeFunction } from '../../local/functions.ts';

const HOUR = 3_600_000;

/** The offsets the lake-writer's consumer group has committed on the plays topic, by partition. */
export type CommittedOffsets = () => Promise<ReadonlyMap<number, number>>;

/**
 * The lake's rows once it holds at least `expected` of them and, with `committed`, once the consumer has
 * committed past the last row of every partition: nothing is delivered after that (only transaction markers
 * may follow in the topic), so a late duplicate would be in the rows read then.
 */
export async function settledLakeRows(
  lakeDir: string,
  expected: number,
  committed: CommittedOffsets | undefined,
  timeoutMs: number,
): Promise<LakeRow[]> {
  await waitFor(
    committed ? 'every row in the lake and its offset committed' : 'every row in the lake',
    async () => {
      const rows = await readLakeRows(lakeDir);
      // Thrown, not returned: the timeout's message then says how far it got.
      if (rows.length < expected) throw new Error(`the lake holds ${rows.length} of ${expected} rows`);
      if (!committed) return true;
      const offsets = await committed();
      const last = new Map<number, number>();
      for (const row of rows) {
        last.set(row.source_partition, Math.max(row.source_offset, last.get(row.source_partition) ?? -1));
      }
      const behind = [...last].filter(([partition, offset]) => (offsets.get(partition) ?? 0) <= offset);
      if (behind.length === 0) return true;
      throw new Error(
        `committed behind the lake's rows: ${behind
          .map(
            ([partition, offset]) =>
              `partition ${partition} row ${offset}, committed ${offsets.get(partition)}`,
          )
          .join('; ')}`,
      );
    },
    timeoutMs,
    250,
  );
  return readLakeRows(lakeDir);
}

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
  readonly api: PlaysApi;
  readonly dataDir: string;
  readonly traffic: GeneratedTraffic;
  readonly hourStart: Date;
  readonly regions: readonly string[];
  /** How to read the consumer's committed offsets (Kafka, embedded): the lake is checked once they settle. */
  readonly committed?: CommittedOffsets;
}): Promise<LakeRow[]> {
  const { api, dataDir, traffic, hourStart } = options;
  const { url } = api;
  for (let start = 0; start < traffic.events.length; start += 250) {
    const response = await postPlays(api, { events: traffic.events.slice(start, start + 250) });
    const body = (await response.json()) as { accepted: number };
    expect(response.status).toBe(202);
    expect(body.accepted).toBe(traffic.valid.slice(start, start + 250).filter(Boolean).length);
  }
  const rows = await settledLakeRows(
    join(dataDir, 'lake'),
    traffic.deliveries.length,
    options.committed,
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
 * Posts the plays to `npm start` (run with `env`) and kills it with SIGKILL mid-stream: once the lake holds
 * its first file, right after one more acknowledged request, so every play posted so far was acknowledged
 * and the lake holds some of them but not all (asserted). Starts it again, posts the rest, and expects the lake to end
 * with every acknowledged play exactly once, checked after the consumer's offsets settled.
 */
export async function expectExactlyOnceAcrossKill(options: {
  readonly env: Record<string, string>;
  readonly dataDir: string;
  readonly events: readonly { readonly event_id: string }[];
  readonly committed?: CommittedOffsets;
}): Promise<void> {
  const { env, dataDir, events } = options;
  const lakeDir = join(dataDir, 'lake');
  let posted = 0;
  const post = async (api: PlaysApi, count: number) => {
    const response = await postPlays(api, { events: events.slice(posted, posted + count) });
    expect(response.status).toBe(202);
    posted = Math.min(posted + count, events.length);
  };
  let running: LocalProcess | undefined = await startLocalProcess(env, ['--no-simulator']);
  try {
    const deadline = Date.now() + 60_000;
    // The last requests are kept for after the first file: the lake-writer's batch window (2 s) can take in
    // every play posted before it writes anything, so the kill must follow a request it cannot have written.
    const kept = 400;
    while (!(await hasPlaysFile(lakeDir))) {
      if (Date.now() > deadline) throw new Error('the lake writer wrote no file within 60 s');
      if (posted < events.length - kept) await post(running, 200);
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Acknowledged, and still inside the lake-writer's batch window when the process dies.
    await post(running, 200);
    await running.stop('SIGKILL');
    const beforeRestart = await readLakeRows(lakeDir);
    // The kill came mid-stream: some acknowledged plays were written, not all.
    expect(beforeRestart.length).toBeGreaterThan(0);
    expect(beforeRestart.length).toBeLessThan(posted);

    running = await startLocalProcess(env, ['--no-simulator']);
    while (posted < events.length) await post(running, 200);
    const rows = await settledLakeRows(lakeDir, events.length, options.committed, 90_000);
    expect(rows).toHaveLength(events.length);
    expect(new Set(rows.map((row) => row.event_id))).toEqual(new Set(events.map((event) => event.event_id)));
    expect(new Set(rows.map((row) => `${row.source_partition}@${row.source_offset}`)).size).toBe(rows.length);
  } finally {
    await running?.stop('SIGTERM');
  }
}

/** Whether the lake folder holds a play file yet (a cheap check, to catch the writer in its first batches). */
export async function hasPlaysFile(lakeDir: string): Promise<boolean> {
  const names = await readdir(join(lakeDir, 'plays'), { recursive: true }).catch(() => [] as string[]);
  return names.some((name) => name.endsWith('.parquet'));
}
