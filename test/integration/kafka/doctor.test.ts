/**
 * `npm run doctor` against the real broker (KAFKA_BROKERS): the topology's topics and the lake-writer group's lag
 * per partition, in a namespace of the test's own. A stopped broker is in test/integration/doctor.test.ts (it
 * needs no broker: a closed port).
 */
import { Admin } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaBrokers, kafkaSkipped, stringProducer, testNamespace } from '../../../devkit/kafka.ts';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { KafkaTransport } from '../../../src/adapters/transport/kafka/transport.ts';
import { namespacedTopics, qualified, topics } from '../../../src/topology.ts';
import { parseTable, rowOf, runDoctor } from '../../support/doctor.ts';

describe.skipIf(kafkaSkipped())(
  'npm run doctor with Kafka (skipped unless KAFKA_BROKERS is set: `npm run services:up -- kafka` prints it)',
  () => {
    const brokers = (kafkaBrokers ?? '').split(',');
    let temp: Awaited<ReturnType<typeof makeTempDir>>;

    beforeAll(async () => {
      temp = await makeTempDir('doctor-kafka');
    });
    afterAll(async () => temp?.remove());

    it("reports the broker, the topics with their partitions and the lake-writer group's lag per partition", async () => {
      const namespace = testNamespace('doctor');
      const plays = qualified(topics.plays.name, namespace);
      const group = qualified('lake-writer', namespace);
      // The topics as npm start creates them.
      await (await KafkaTransport.open({ brokers, topics: namespacedTopics(namespace) })).close();
      // 5 records in partition 0, 2 in partition 1, none in 2; the group has done 3 of p0 and both of p1.
      const producer = stringProducer(brokers, 'doctor-test-producer');
      try {
        await producer.send({
          messages: [0, 0, 0, 0, 0, 1, 1].map((partition, index) => ({
            topic: plays,
            partition,
            value: `record ${index}`,
          })),
        });
      } finally {
        await producer.close();
      }
      const admin = new Admin({ clientId: 'doctor-test-admin', bootstrapBrokers: brokers });
      try {
        await admin.alterConsumerGroupOffsets({
          groupId: group,
          topics: [
            {
              name: plays,
              partitionOffsets: [
                { partition: 0, offset: 3n },
                { partition: 1, offset: 2n },
              ],
            },
          ],
        });
      } finally {
        await admin.close();
      }

      const run = await runDoctor({
        TOP_SONGS_DATA_DIR: temp.path,
        KAFKA_BROKERS: kafkaBrokers ?? '',
        TOP_SONGS_NAMESPACE: namespace,
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(rowOf(parseTable(run.stdout), 'kafka')).toMatchObject({
        target: kafkaBrokers,
        status: 'ok',
        details: `1 broker; ${plays} ×3, ${plays}-dlq ×1; ${group} lag 2 (p0 2, p1 0, p2 0)`,
      });
    });

    it('reports topics not created yet without failing: the transport creates them when it opens', async () => {
      const namespace = testNamespace('doctor-fresh');
      const run = await runDoctor({
        TOP_SONGS_DATA_DIR: temp.path,
        KAFKA_BROKERS: kafkaBrokers ?? '',
        TOP_SONGS_NAMESPACE: namespace,
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const plays = qualified(topics.plays.name, namespace);
      expect(rowOf(parseTable(run.stdout), 'kafka')).toMatchObject({
        status: 'ok',
        details: `1 broker; ${plays} missing (created when the transport opens), ${plays}-dlq missing (created when the transport opens)`,
      });
    });
  },
);
