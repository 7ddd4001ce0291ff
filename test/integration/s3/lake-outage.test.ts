/**
 * The lake's S3 server failing under the running lake-writer: 30 s of 5xx answers (503 SlowDown, 500
 * InternalError), then 30 s of the server process gone, while plays keep being posted. Afterwards every
 * acknowledged play is in the lake exactly once and charted once, nothing went to the dead-letter topic, and the same runtime,
 * never restarted, wrote it all. Against a real versitygw of the test's own, behind a fault-injecting proxy.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { embeddedCommittedOffsets } from '../../../devkit/embedded-transport.ts';
import { type LakeRow, readLakeRows } from '../../../devkit/lake.ts';
import { recentPlay } from '../../../devkit/play-batches.ts';
import { type PlaysApi, postPlays } from '../../../devkit/post-plays.ts';
import { type ReferencePlay, referenceCharts } from '../../../devkit/reference-charts.ts';
import { type OwnS3Server, ownS3ServerSkipped, startOwnS3Server } from '../../../devkit/s3-server.ts';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { waitFor } from '../../../devkit/wait-for.ts';
import { invokeFunction } from '../../../local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '../../../local/runtime.ts';
import { createS3Client, S3Store } from '../../../src/adapters/object-store/s3.ts';
import type { EmbeddedTransport } from '../../../src/adapters/transport/embedded/transport.ts';
import { PLAYS_PREFIX } from '../../../src/domain/lake-layout.ts';
import { topics } from '../../../src/topology.ts';
import { type FaultProxy, startFaultProxy } from '../../support/fault-proxy.ts';

const OUTAGE_MS = 30_000;
const HOUR = 3_600_000;
const BUCKET = 'outage-lake';
const credentials = { accessKeyId: 'outage-test', secretAccessKey: 'outage-test-secret' };

/** Posts 10 plays every 100 ms until stopped; keeps the plays answered 202, and any other answer. */
function keepPosting(api: PlaysApi) {
  const accepted: ReferencePlay[] = [];
  const refused: string[] = [];
  let stopped = false;
  const sending = (async () => {
    while (!stopped) {
      const plays = Array.from({ length: 10 }, () => recentPlay());
      const response = await postPlays(api, { events: plays });
      const body = await response.text();
      if (response.status === 202 && (JSON.parse(body) as { accepted: number }).accepted === plays.length) {
        accepted.push(...plays);
      } else refused.push(`${response.status} ${body}`);
      await sleep(100);
    }
  })();
  return {
    accepted,
    refused,
    stop: async () => {
      stopped = true;
      await sending;
    },
  };
}

describe.skipIf(ownS3ServerSkipped)(
  `the lake-writer through an S3 outage (${ownS3ServerSkipped ?? 'running'})`,
  () => {
    let dataDir: string;
    let removeDataDir: () => Promise<void>;
    let s3: OwnS3Server;
    let proxy: FaultProxy;
    let runtime: LocalRuntime;

    beforeAll(async () => {
      // What the runtime's S3 client signs with (the SDK reads credentials from the environment).
      vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
      ({ path: dataDir, remove: removeDataDir } = await makeTempDir('s3-outage'));
      s3 = await startOwnS3Server({ dir: join(dataDir, 's3'), bucket: BUCKET, credentials });
      proxy = await startFaultProxy(s3.port);
      runtime = await startLocalRuntime({
        env: {
          TOP_SONGS_DATA_DIR: join(dataDir, 'runtime'),
          PORT: '0',
          REGIONS: 'us',
          LAKE_URI: `s3://${BUCKET}/lake/`,
          AWS_REGION: 'us-east-1',
          AWS_ENDPOINT_URL_S3: proxy.url,
        },
        schedules: false,
      });
    });

    afterAll(async () => {
      await runtime?.stop();
      await proxy?.close();
      await s3?.stop();
      await removeDataDir?.();
      vi.unstubAllEnvs();
    });

    /** The lake-writer's committed offsets against the plays topic's end offsets, by partition. */
    async function progress() {
      const transport = (await runtime.dependencies.transport()) as EmbeddedTransport;
      return {
        ends: transport.endOffsets(topics.plays.name),
        committed: await embeddedCommittedOffsets(join(dataDir, 'runtime')),
      };
    }
    const behind = async () => {
      const { ends, committed } = await progress();
      return ends.some((end, partition) => (committed.get(partition) ?? 0) < end);
    };

    /** Every play row in the lake, read from the S3 server itself (not through the proxy), with DuckDB. */
    async function lakeRows(): Promise<{ rows: LakeRow[]; files: string[] }> {
      const lake = new S3Store(
        createS3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true }),
        BUCKET,
        'lake/',
      );
      const files = (await lake.list(PLAYS_PREFIX)).filter((key) => key.endsWith('.parquet'));
      const scratch = join(dataDir, `read-${Date.now()}`);
      await mkdir(join(scratch, 'plays'), { recursive: true });
      await lake.localCopies(files, join(scratch, 'plays'));
      return { rows: await readLakeRows(scratch), files };
    }

    it('writes every acknowledged play exactly once, dead-letters none, and recovers by itself', async () => {
      const sender = keepPosting(runtime);
      try {
        // Healthy first: the lake-writer is writing to S3 through the proxy.
        await waitFor('a first batch in the lake', async () => {
          const { committed } = await progress();
          return [...committed.values()].some((offset) => offset > 0) ? true : undefined;
        });

        // 30 s of 5xx answers to every S3 request.
        proxy.setMode('server-errors');
        await sleep(OUTAGE_MS);
        expect(proxy.counts.serverErrors).toBeGreaterThan(0);
        expect(await behind()).toBe(true); // plays arrived that the lake-writer could not write
        proxy.setMode('pass');

        // 30 s of the server process gone.
        await s3.stop();
        await sleep(OUTAGE_MS);
        expect(proxy.counts.resets).toBeGreaterThan(0);
        expect(await behind()).toBe(true);
        await s3.start();

        // The same runtime catches up, and goes on taking and writing plays.
        await waitFor(
          'the lake-writer to catch up',
          async () => ((await behind()) ? undefined : true),
          120_000,
        );
        const afterRecovery = sender.accepted.length;
        await waitFor('more plays after the recovery', async () =>
          sender.accepted.length > afterRecovery + 50 ? true : undefined,
        );
      } finally {
        await sender.stop();
      }
      expect(sender.refused).toEqual([]);

      // Settled: the consumer has committed every record of the topic, so nothing more will be written.
      await waitFor('every offset committed', async () => ((await behind()) ? undefined : true), 120_000);
      const transport = (await runtime.dependencies.transport()) as EmbeddedTransport;
      expect(transport.endOffsets(topics.deadLetters.name), 'records in the dead-letter topic').toEqual([0]);

      const { rows, files } = await lakeRows();
      const inLake = new Set(rows.map((row) => row.event_id));
      expect(sender.accepted.length).toBeGreaterThan(1000);
      expect(
        sender.accepted.filter((play) => !inLake.has(play.event_id)).length,
        'acknowledged plays missing',
      ).toBe(0);
      expect(rows.length - inLake.size, 'plays written twice').toBe(0);
      expect(rows).toHaveLength(sender.accepted.length);
      expect(new Set(rows.map((row) => `${row.source_partition}@${row.source_offset}`)).size).toBe(
        rows.length,
      );
      expect(new Set(files).size).toBe(files.length);

      // And charted exactly once: each hour the plays fell in, charted from the lake, equals the reference.
      const hours = [
        ...new Set(sender.accepted.map((play) => Math.floor(Date.parse(play.played_at) / HOUR) * HOUR)),
      ];
      for (const hour of hours) {
        const start = new Date(hour);
        await invokeFunction('chart-hourly', { window_start: start.toISOString() });
        const expected = referenceCharts(sender.accepted, start, new Date(hour + HOUR));
        for (const region of ['global', 'us']) {
          const response = await fetch(
            `${runtime.url}/v1/charts?region=${region}&period=hour&start=${start.toISOString()}`,
          );
          expect(response.status).toBe(200);
          const chart = (await response.json()) as {
            eligible_plays: number;
            entries: { rank: number; song_id: string; plays: number }[];
          };
          const want = expected.get(region);
          expect(chart.eligible_plays, `${region} ${start.toISOString()}`).toBe(want?.eligible_plays);
          expect(chart.entries.map(({ rank, song_id, plays }) => ({ rank, song_id, plays }))).toEqual(
            want?.entries,
          );
        }
      }
    }, 300_000);
  },
);
