/**
 * Late data restates by itself with Kafka: ingest produces to a real broker, the lake-writer consumes it
 * (test/support/restatement-story.ts).
 */
import { describe } from 'vitest';
import { kafkaBrokers, kafkaSkipped, testNamespace } from '../../../devkit/kafka.ts';
import { lateDataRestates } from '../../support/restatement-story.ts';

describe.skipIf(kafkaSkipped())(
  'late plays with Kafka (KAFKA_BROKERS unset: start it with npm run stack:up -- kafka)',
  () => {
    lateDataRestates({
      dirName: 'kafka-restatements',
      env: { KAFKA_BROKERS: kafkaBrokers, TOP_SONGS_NAMESPACE: testNamespace('restate') },
      timeoutMs: 300_000,
    });
  },
);
