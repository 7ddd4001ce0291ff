/**
 * Against a real Kinesis endpoint: kinesis-mock from `npm run services:up -- kinesis` (CI can start it the same
 * way). Each run uses streams of its own (created by the transport, deleted afterwards), so runs never see
 * each other's records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentPlay } from '../../../devkit/play-batches.ts';
import { type LocalRuntime, startLocalRuntime } from '../../../local/runtime.ts';
import { tempDataDirs } from '../../support/data-dirs.ts';
import {
  expectExactlyOnceAcrossKill,
  expectExactPipeline,
  lastHourTraffic,
} from '../../support/exact-pipeline.ts';
import { deleteStreams, kinesisSkipped, testStream } from './kinesis-streams.ts';

describe.skipIf(kinesisSkipped())(
  'with Kinesis (KINESIS_STREAM and AWS_ENDPOINT_URL_KINESIS unset: start kinesis-mock with npm run services:up -- kinesis)',
  () => {
    const newDataDir = tempDataDirs();
    const streams: string[] = [];
    const newStream = (name: string) => {
      const stream = testStream(name);
      streams.push(stream, `${stream}-dlq`);
      return stream;
    };

    afterAll(async () => {
      await deleteStreams(streams);
    });

    describe('the pipeline', () => {
      let runtime: LocalRuntime;
      let dataDir: string;
      const { hourStart, traffic } = lastHourTraffic();

      beforeAll(async () => {
        dataDir = await newDataDir('kinesis-pipeline');
        runtime = await startLocalRuntime({
          env: {
            TOP_SONGS_DATA_DIR: dataDir,
            PORT: '0',
            KINESIS_STREAM: newStream('pipeline'),
            AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
            REGIONS: 'us,gb,de',
          },
          schedules: false,
        });
      });

      afterAll(async () => runtime?.stop());

      it('writes every acknowledged play to the lake exactly once and charts it exactly', async () => {
        expect((await runtime.dependencies.transport()).eventSource).toBe('kinesis');
        const rows = await expectExactPipeline({
          api: runtime,
          dataDir,
          traffic,
          hourStart,
          regions: ['us', 'gb', 'de'],
        });
        expect(new Set(rows.map((row) => row.source_partition))).toEqual(new Set([0, 1, 2]));
      });
    });

    it('a killed consumer, restarted from its checkpoints, leaves exactly the acknowledged plays in the lake', async () => {
      const dataDir = await newDataDir('kinesis-kill');
      const env = { TOP_SONGS_DATA_DIR: dataDir, KINESIS_STREAM: newStream('kill') };
      await expectExactlyOnceAcrossKill({
        env,
        dataDir,
        events: Array.from({ length: 3000 }, () => recentPlay()),
      });
    });
  },
);
