/**
 * How each adapter is opened from the settings: the lake (a folder or S3), the transport (Kafka, Kinesis or
 * embedded), the database's connection (a URL or a secret) and Kafka's SASL credentials. The composition
 * root (dependencies.ts) decides when; the connection probes (`npm run doctor`) open the same way.
 */
import { join } from 'node:path';
import type pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { LocalFolderStore } from '../adapters/object-store/local-folder.ts';
import { s3LakeName } from '../adapters/object-store/s3-name.ts';
import { EmbeddedTransport } from '../adapters/transport/embedded/transport.ts';
import {
  type KafkaSasl,
  type KafkaSaslMechanism,
  saslMechanisms,
} from '../adapters/transport/kafka/connection.ts';
import type { Settings } from '../config/settings.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { Transport } from '../ports/transport.ts';
import { topics as declaredTopics, namespacedTopics, qualified } from '../topology.ts';
import { openedOnUse, sharedUntilFailure } from './opened-on-use.ts';

/**
 * DATABASE_URL, or else the secret that holds it (deployed functions). The secret's password is read again
 * for every new connection (Powertools caches it for a few seconds), so a rotated password is picked up.
 */
export async function databaseConfig(settings: Settings): Promise<pg.PoolConfig> {
  if (settings.databaseUrl) return { connectionString: settings.databaseUrl };
  const secretId = settings.databaseSecretArn;
  if (!secretId) {
    throw new Error(
      'Neither DATABASE_URL nor DATABASE_SECRET_ARN is set: no database for charts and API keys',
    );
  }
  const { readDatabaseUrlSecret } = await import('../adapters/secrets/database-url-secret.ts');
  const { password: _read, ...connection } = parseIntoClientConfig(await readDatabaseUrlSecret(secretId));
  return {
    ...connection,
    password: async () => String(parseIntoClientConfig(await readDatabaseUrlSecret(secretId)).password ?? ''),
  };
}

/**
 * SASL settings whose credentials come from a Kafka secret: read now, so that a missing or malformed secret
 * fails the start, then again for each new connection (Powertools caches it for a few seconds), so that a
 * rotated password is picked up without a cold start.
 */
export async function kafkaSaslFromSecret(
  secretId: string,
  mechanism: KafkaSaslMechanism,
): Promise<KafkaSasl> {
  const { readKafkaCredentialsSecret } = await import('../adapters/secrets/kafka-credentials-secret.ts');
  await readKafkaCredentialsSecret(secretId);
  return {
    mechanism,
    username: async () => (await readKafkaCredentialsSecret(secretId)).username,
    password: async () => (await readKafkaCredentialsSecret(secretId)).password,
  };
}

/**
 * The lake the settings name. An S3 lake's adapter (the AWS SDK's S3 client, about 1 MB of code) is imported
 * on its first call, as the transports are: a runtime on a folder lake never holds it in its heap
 * (docs/benchmarks.md, "What the runtime loads").
 */
export function createLake(settings: Settings): ObjectStore {
  if (settings.lake.kind === 'folder') return new LocalFolderStore(settings.lake.path);
  const { bucket, prefix } = settings.lake;
  const open = sharedUntilFailure(async (): Promise<ObjectStore> => {
    const { createS3Client, S3Store } = await import('../adapters/object-store/s3.ts');
    const client = createS3Client({
      region: settings.aws.region ?? 'us-east-1',
      // From the settings the runtime was given (a test's own server), not only from process.env.
      endpoint: settings.aws.s3Endpoint ?? settings.aws.endpoint,
      forcePathStyle: settings.aws.s3ForcePathStyle,
    });
    return new S3Store(client, bucket, prefix);
  });
  return {
    ...openedOnUse(open, ['put', 'get', 'delete', 'list', 'listObjects', 'localCopies']),
    describe: () => s3LakeName(bucket, prefix),
  };
}

/**
 * Transport adapters are imported only when chosen: a function bundle then loads just its own client
 * (@platformatic/kafka reads a WebAssembly file when imported, which a bundle without Kafka does not ship).
 */
export async function createTransport(
  settings: Settings,
  publishTimeoutMs: number | undefined,
): Promise<Transport> {
  const topics = namespacedTopics(settings.namespace);
  if (settings.kafkaBrokers) {
    const { KafkaTransport } = await import('../adapters/transport/kafka/transport.ts');
    // Deployed ingest: SASL over TLS with the credentials in KAFKA_SECRET_ARN; local mode: PLAINTEXT.
    const auth = settings.kafkaAuth;
    const options = { brokers: settings.kafkaBrokers, topics, publishTimeoutMs };
    if (!auth) return KafkaTransport.open(options);
    const sasl = await kafkaSaslFromSecret(auth.secretId, saslMechanisms[auth.method]);
    return KafkaTransport.open({ ...options, sasl });
  }
  if (settings.kinesisStream) {
    const { KinesisTransport } = await import('../adapters/transport/kinesis/transport.ts');
    return KinesisTransport.open({
      streams: kinesisStreams(settings.kinesisStream, settings.namespace),
      // Local mode's consumer checkpoints; Lambda's Kinesis event source mapping keeps its own.
      checkpointDir: join(settings.dataDir, 'kinesis-checkpoints'),
      region: settings.aws.region ?? 'us-east-1',
    });
  }
  return EmbeddedTransport.open(join(settings.dataDir, 'transport'), topics);
}

/**
 * The Kinesis stream of each topic: KINESIS_STREAM carries the plays topic; the dead-letter topic goes to a
 * stream of its own beside it.
 */
export function kinesisStreams(
  stream: string,
  namespace: string,
): { topic: string; stream: string; shards: number }[] {
  const streamOf = (topic: string) => {
    if (topic === qualified(declaredTopics.plays.name, namespace)) return stream;
    if (topic === qualified(declaredTopics.deadLetters.name, namespace)) return `${stream}-dlq`;
    return `${stream}-${topic}`;
  };
  return namespacedTopics(namespace).map((topic) => ({
    topic: topic.name,
    stream: streamOf(topic.name),
    shards: topic.partitions,
  }));
}
