/**
 * Deletes the topics the Spark tests made (spark/tests/conftest.py, at the end of the run), so that test
 * topics, kept forever by their retention (createReplayTopic), do not pile up in the broker run after run:
 *
 *   node spark/tests/delete_topics.ts <topic> [<topic> …]     (needs KAFKA_BROKERS)
 */
import { Admin } from '@platformatic/kafka';

const topics = process.argv.slice(2);
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
if (topics.length === 0 || brokers.length === 0) {
  console.error('usage: KAFKA_BROKERS=… node spark/tests/delete_topics.ts <topic> [<topic> …]');
  process.exit(2);
}
const admin = new Admin({ clientId: 'spark-tests-cleanup', bootstrapBrokers: brokers });
try {
  const existing = new Set(await admin.listTopics());
  const ours = topics.filter((topic) => existing.has(topic));
  if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  console.error(`deleted ${ours.length} test topics`);
} finally {
  await admin.close();
}
