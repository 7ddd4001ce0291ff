/**
 * The local runtime with its lake in a real S3-compatible server (LAKE_URI=s3://…, `npm run services:up -- s3`):
 * plays posted over HTTP reach the lake as Parquet objects, and the hourly chart computed from those objects
 * is exactly the reference chart.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LakeRow, readLakeRows } from '../../../devkit/lake.ts';
import { generateTraffic } from '../../../devkit/play-batches.ts';
import { postPlays } from '../../../devkit/post-plays.ts';
import { type ReferenceChart, referenceCharts } from '../../../devkit/reference-charts.ts';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { waitFor } from '../../../devkit/wait-for.ts';
import { invokeFunction } from '../../../local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '../../../local/runtime.ts';
import { PLAYS_PREFIX } from '../../../src/domain/lake-layout.ts';
import { deleteLakePrefix, s3Skipped, uniqueLakeUri } from './s3-lake.ts';

const HOUR = 3_600_000;
const regions = ['us', 'gb', 'de'];

describe.skipIf(s3Skipped)(`the pipeline with its lake in S3 (${s3Skipped ?? 'running'})`, () => {
  const lakeUri = uniqueLakeUri('pipeline');
  let dataDir: string;
  let removeDataDir: () => Promise<void>;
  let runtime: LocalRuntime;
  const now = Date.now();
  // A whole past hour: every play in it is accepted (none lies in the future).
  const hourStart = new Date(Math.floor(now / HOUR) * HOUR - 2 * HOUR);
  const traffic = generateTraffic({
    seed: 11,
    count: 400,
    windowStart: hourStart,
    windowMs: HOUR,
    regions,
    songs: 25,
  });

  beforeAll(async () => {
    ({ path: dataDir, remove: removeDataDir } = await makeTempDir('s3-pipeline'));
    runtime = await startLocalRuntime({
      // Only what this test means: no KAFKA_BROKERS (embedded transport), no DATABASE_URL (embedded PostgreSQL).
      // The AWS SDK reads the endpoint and credentials from process.env itself.
      env: {
        TOP_SONGS_DATA_DIR: dataDir,
        PORT: '0',
        REGIONS: regions.join(','),
        LAKE_URI: lakeUri,
        AWS_REGION: process.env.AWS_REGION,
        AWS_ENDPOINT_URL_S3: process.env.AWS_ENDPOINT_URL_S3,
      },
      schedules: false,
    });
    expect(runtime.dependencies.lake().describe()).toBe(lakeUri);
  });

  afterAll(async () => {
    await runtime?.stop();
    await removeDataDir?.();
    if (!s3Skipped) await deleteLakePrefix(lakeUri);
  });

  /** Every play row in the lake, listed and downloaded through S3 (the port), read with DuckDB. */
  async function lakeRows(): Promise<LakeRow[]> {
    const lake = runtime.dependencies.lake();
    const keys = (await lake.list(PLAYS_PREFIX)).filter((key) => key.endsWith('.parquet'));
    if (keys.length === 0) return [];
    const scratch = join(dataDir, `read-${Date.now()}`);
    await mkdir(join(scratch, 'plays', 'copies'), { recursive: true });
    await lake.localCopies(keys, join(scratch, 'plays', 'copies'));
    return readLakeRows(scratch);
  }

  it('writes every accepted play to S3 and charts the hour exactly', async () => {
    let accepted = 0;
    for (let start = 0; start < traffic.events.length; start += 100) {
      const response = await postPlays(runtime, { events: traffic.events.slice(start, start + 100) });
      expect(response.status).toBe(202);
      accepted += ((await response.json()) as { accepted: number }).accepted;
    }
    expect(accepted).toBe(traffic.deliveries.length);
    expect(accepted).toBeGreaterThan(300);

    const rows = await waitFor(
      'the S3 lake to hold every accepted play',
      async () => {
        const found = await lakeRows();
        return found.length >= traffic.deliveries.length ? found : undefined;
      },
      60_000,
      500,
    );
    expect(rows).toHaveLength(traffic.deliveries.length);
    const sortKey = (play: { event_id: string; played_at: string }) => `${play.event_id}|${play.played_at}`;
    expect(rows.map(sortKey).sort()).toEqual(traffic.deliveries.map(sortKey).sort());

    await invokeFunction('chart-hourly', { window_start: hourStart.toISOString() });
    const expected = referenceCharts(traffic.deliveries, hourStart, new Date(hourStart.getTime() + HOUR));
    expect(expected.get('global')?.entries).toHaveLength(10);
    for (const region of ['global', ...regions]) {
      const response = await fetch(
        `${runtime.url}/v1/charts?region=${region}&period=hour&start=${hourStart.toISOString()}`,
      );
      expect(response.status).toBe(200);
      const chart = (await response.json()) as {
        status: string;
        eligible_plays: number;
        entries: { rank: number; song_id: string; plays: number }[];
      };
      const want: ReferenceChart = expected.get(region) ?? { eligible_plays: 0, entries: [] };
      expect({ region, eligible: chart.eligible_plays }).toEqual({ region, eligible: want.eligible_plays });
      expect(chart.entries.map(({ rank, song_id, plays }) => ({ rank, song_id, plays }))).toEqual(
        want.entries,
      );
      expect(chart.status).toBe('final');
    }
  }, 120_000);
});
