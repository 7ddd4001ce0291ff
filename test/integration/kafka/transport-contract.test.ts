/** The transport contract against the real broker (KAFKA_BROKERS), on topics of each test's own namespace. */
import { describe } from 'vitest';
import { kafkaBrokers, kafkaSkipped, testNamespace } from '../../../devkit/kafka.ts';
import { KafkaTransport } from '../../../src/adapters/transport/kafka/transport.ts';
import { namespacedTopics, qualified, topics } from '../../../src/topology.ts';
import { describeTransportContract } from '../../support/transport-contract.ts';

describe.skipIf(kafkaSkipped())('with Kafka (KAFKA_BROKERS unset: npm run services:up -- kafka)', () => {
  describeTransportContract('KafkaTransport', async () => {
    // Its topics and groups are deleted after the file (test/support/kafka-cleanup.ts).
    const namespace = testNamespace('contract');
    return {
      open: () =>
        KafkaTransport.open({ brokers: kafkaBrokers!.split(','), topics: namespacedTopics(namespace) }),
      topics: {
        plays: qualified(topics.plays.name, namespace),
        deadLetters: qualified(topics.deadLetters.name, namespace),
      },
      group: (name) => qualified(name, namespace),
      consecutiveOffsets: false,
      quietMs: 1_500,
      cleanup: async () => {},
    };
  });
});
