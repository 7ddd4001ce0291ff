/**
 * The live chart on real Kafka (its own consumer group beside the lake-writer's): each window's live chart counts
 * exactly what the lake holds; the last live chart of each window is its final chart from the lake; and after npm
 * start (both consumers) is killed with SIGKILL mid-stream and started again, no play counts twice.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { committedOffsets, kafkaBrokers, kafkaSkipped, testNamespace } from '../../../devkit/kafka.ts';
import { type LocalRuntime, startLocalRuntime } from '../../../local/runtime.ts';
import { qualified } from '../../../src/topology.ts';
import { lakeWriterOffsets, tempDataDirs } from '../../support/data-dirs.ts';
import {
  closingHourClock,
  expectLastLiveChartIsFinal,
  expectLiveChartAcrossKill,
  liveRegions,
} from '../../support/live-chart-story.ts';

const liveChartOffsets = (namespace: string) => () =>
  committedOffsets(qualified('live-chart', namespace), qualified('song-plays', namespace));

describe.skipIf(kafkaSkipped())(
  'the live chart, Kafka (KAFKA_BROKERS unset: start it with npm run stack:up -- kafka)',
  () => {
    const newDataDir = tempDataDirs();
    const time = closingHourClock();
    const namespace = testNamespace('live-chart');
    let runtime: LocalRuntime;

    beforeAll(async () => {
      runtime = await startLocalRuntime({
        env: {
          TOP_SONGS_DATA_DIR: await newDataDir('kafka-live-chart'),
          PORT: '0',
          REGIONS: liveRegions.join(','),
          KAFKA_BROKERS: kafkaBrokers!,
          TOP_SONGS_NAMESPACE: namespace,
        },
        schedules: false,
        clock: time.clock,
      });
    });
    afterAll(async () => {
      await runtime?.stop();
    });

    it('counts exactly what the lake holds, and its last chart of each window is the final one', async () => {
      await expectLastLiveChartIsFinal({
        runtime,
        time,
        committed: { lake: lakeWriterOffsets(namespace), live: liveChartOffsets(namespace) },
      });
    }, 240_000);

    it('counts no play twice after a kill -9 of the consumers mid-stream and a restart', async () => {
      const dataDir = await newDataDir('kafka-live-chart-kill');
      const killed = testNamespace('live-chart-kill');
      await expectLiveChartAcrossKill({
        env: {
          TOP_SONGS_DATA_DIR: dataDir,
          KAFKA_BROKERS: kafkaBrokers!,
          TOP_SONGS_NAMESPACE: killed,
          REGIONS: liveRegions.join(','),
        },
        dataDir,
        committed: { lake: lakeWriterOffsets(killed), live: liveChartOffsets(killed) },
      });
    }, 240_000);
  },
);
