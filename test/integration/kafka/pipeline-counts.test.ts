/**
 * GET /v1/pipeline on real Kafka: the counts at every hop after clean traffic with duplicates, short plays and
 * rejections, after a poison record went to the dead-letter topic, and after npm start (the lake-writer's
 * consumer) was killed with SIGKILL mid-stream and started again.
 */
import { describe, it } from 'vitest';
import { kafkaBrokers, kafkaSkipped, testNamespace } from '../../../devkit/kafka.ts';
import { countsInOneRuntime } from '../../support/count-scenario.ts';
import { lakeWriterOffsets, tempDataDirs } from '../../support/data-dirs.ts';
import { expectCountsAcrossKill } from '../../support/kill-counts.ts';

describe.skipIf(kafkaSkipped())(
  'counts at every hop, Kafka (KAFKA_BROKERS unset: start it with npm run stack:up -- kafka)',
  () => {
    const newDataDir = tempDataDirs();

    const countsNamespace = testNamespace('counts');
    countsInOneRuntime({
      newDataDir: () => newDataDir('kafka-counts'),
      env: { KAFKA_BROKERS: kafkaBrokers, TOP_SONGS_NAMESPACE: countsNamespace },
      committed: () => lakeWriterOffsets(countsNamespace),
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
