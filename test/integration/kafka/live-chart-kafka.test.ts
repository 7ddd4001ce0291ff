/**
 * The live chart on real Kafka (its own consumer group beside the lake-writer's): each window's live chart counts
 * exactly what the lake holds; the last live chart of each window is its final chart from the lake; and after npm
 * start (both consumers) is killed with SIGKILL mid-stream and started again, no play counts twice.
 */
import { describe } from 'vitest';
import { committedOffsets, kafkaBrokers, kafkaSkipped, testNamespace } from '../../../devkit/kafka.ts';
import { qualified } from '../../../src/topology.ts';
import { lakeWriterOffsets } from '../../support/data-dirs.ts';
import { liveChartStories } from '../../support/live-chart-story.ts';

describe.skipIf(kafkaSkipped())(
  'the live chart, Kafka (KAFKA_BROKERS unset: start it with npm run stack:up -- kafka)',
  () => {
    liveChartStories((_dataDir, run) => {
      // A namespace of its own per run: topics and consumer groups no other run sees.
      const namespace = testNamespace(run);
      return {
        env: { KAFKA_BROKERS: kafkaBrokers!, TOP_SONGS_NAMESPACE: namespace },
        committed: {
          lake: lakeWriterOffsets(namespace),
          live: () =>
            committedOffsets(qualified('live-chart', namespace), qualified('song-plays', namespace)),
        },
      };
    }, 'kafka-');
  },
);
