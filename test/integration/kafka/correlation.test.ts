/**
 * Correlation on real Kafka: each ingest request's id travels as the record header `ingest-request-id` to the
 * lake-writer's log line of the batch that wrote its events (test/support/correlation.ts).
 */
import { describe, it } from 'vitest';
import { kafkaBrokers, kafkaSkipped, testNamespace } from '../../../devkit/kafka.ts';
import { captureLogLines, expectCorrelated } from '../../support/correlation.ts';

captureLogLines();

describe.skipIf(kafkaSkipped())('the ingest request id in the lake-writer’s logs, with Kafka', () => {
  it('travels through Kafka as a record header', async () => {
    await expectCorrelated({
      KAFKA_BROKERS: kafkaBrokers!,
      TOP_SONGS_NAMESPACE: testNamespace('correlation'),
    });
  });
});
