/**
 * GET /v1/pipeline on real Kafka: the counts at every hop after clean traffic with duplicates, short plays and
 * rejections, after a poison record went to the dead-letter topic, and after npm start (the lake-writer's
 * consumer) was killed with SIGKILL mid-stream and started again.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { kafkaBrokers, kafkaSkipped, testNamespace } from '../../../devkit/kafka.ts';
import { type LocalRuntime, startLocalRuntime } from '../../../local/runtime.ts';
import { expectCountsAtEveryHop, movableClock } from '../../support/count-scenario.ts';
import { lakeWriterOffsets, tempDataDirs } from '../../support/data-dirs.ts';
import { expectCountsAcrossKill } from '../../support/kill-counts.ts';

describe.skipIf(kafkaSkipped())(
  'counts at every hop, Kafka (KAFKA_BROKERS unset: start it with npm run stack:up -- kafka)',
  () => {
    const newDataDir = tempDataDirs();

    describe('in one runtime', () => {
      let runtime: LocalRuntime;
      let dataDir: string;
      const clock = movableClock();
      const namespace = testNamespace('counts');

      beforeAll(async () => {
        dataDir = await newDataDir('kafka-counts');
        runtime = await startLocalRuntime({
          env: {
            TOP_SONGS_DATA_DIR: dataDir,
            PORT: '0',
            KAFKA_BROKERS: kafkaBrokers,
            TOP_SONGS_NAMESPACE: namespace,
            REGIONS: 'us,gb,de',
          },
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
          committed: lakeWriterOffsets(namespace),
        });
      }, 180_000);
    });

    it('still reconciles exactly after a kill -9 of the consumer mid-stream and a restart', async () => {
      const dataDir = await newDataDir('kafka-counts-kill');
      const namespace = testNamespace('counts-kill');
      await expectCountsAcrossKill({
        env: {
          TOP_SONGS_DATA_DIR: dataDir,
          KAFKA_BROKERS: kafkaBrokers!,
          TOP_SONGS_NAMESPACE: namespace,
          REGIONS: 'us,gb,de',
        },
        dataDir,
        committed: lakeWriterOffsets(namespace),
      });
    }, 240_000);
  },
);
