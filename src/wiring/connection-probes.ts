import { join } from 'node:path';
import { embeddedTransportProbe } from '../adapters/probes/embedded-transport.ts';
import { lakeProbe } from '../adapters/probes/lake.ts';
import { openAiProbe } from '../adapters/probes/openai.ts';
import { databaseUrlProbe, embeddedPostgresProbe } from '../adapters/probes/postgres.ts';
import { kafkaConnectionOptions, saslMechanisms } from '../adapters/transport/kafka/connection.ts';
import { OPENAI_DEFAULT_BASE_URL, type Settings } from '../config/settings.ts';
import { type ConnectionProbe, notConfigured } from '../ports/connection-probe.ts';
import { topics as declaredTopics, namespacedTopics, qualified } from '../topology.ts';
import { createLake, kafkaSaslFromSecret, kinesisStreams } from './connections.ts';

/** The consumer group whose lag is reported: the lake-writer's, on the plays topic. */
const LAG_GROUP = 'lake-writer';

/**
 * A probe for every service the settings point at, chosen as `npm start` chooses its adapters: PostgreSQL
 * (DATABASE_URL, else the embedded server), the transport (Kafka, else Kinesis, else embedded), the lake, the
 * AWS endpoint and the OpenAI-compatible server (each skipped when not configured). The probes of a Kafka, a
 * Kinesis or an AWS endpoint are imported only when configured: their clients would otherwise stay in the heap
 * of a runtime that answered GET /health once (docs/benchmarks.md, "What the runtime loads").
 */
export async function connectionProbes(settings: Settings, timeoutMs: number): Promise<ConnectionProbe[]> {
  return [
    settings.databaseUrl
      ? databaseUrlProbe(settings.databaseUrl, timeoutMs)
      : embeddedPostgresProbe(settings.dataDir, timeoutMs),
    await transportProbe(settings, timeoutMs),
    lakeProbe(createLake(settings), settings.lake),
    settings.aws.endpoint
      ? (await import('../adapters/probes/aws-endpoint.ts')).awsEndpointProbe({
          endpoint: settings.aws.endpoint,
          region: region(settings),
          timeoutMs,
        })
      : notConfigured('aws', 'not configured (AWS_ENDPOINT_URL unset)'),
    settings.openAi.baseUrl || settings.openAi.apiKey
      ? openAiProbe({
          baseUrl: settings.openAi.baseUrl ?? OPENAI_DEFAULT_BASE_URL,
          apiKey: settings.openAi.apiKey,
        })
      : notConfigured('openai', 'not configured (OPENAI_BASE_URL and OPENAI_API_KEY unset)'),
  ];
}

async function transportProbe(settings: Settings, timeoutMs: number): Promise<ConnectionProbe> {
  const topics = namespacedTopics(settings.namespace);
  const group = qualified(LAG_GROUP, settings.namespace);
  const lagTopic = qualified(declaredTopics.plays.name, settings.namespace);
  if (settings.kafkaBrokers) {
    const brokers = settings.kafkaBrokers;
    const auth = settings.kafkaAuth;
    const { kafkaProbe } = await import('../adapters/probes/kafka.ts');
    return kafkaProbe({
      brokers,
      topics,
      group,
      lagTopic,
      connection: async () =>
        kafkaConnectionOptions(
          {
            brokers,
            sasl: auth ? await kafkaSaslFromSecret(auth.secretId, saslMechanisms[auth.method]) : undefined,
          },
          'top-songs-doctor',
        ),
    });
  }
  if (settings.kinesisStream) {
    const { kinesisProbe } = await import('../adapters/probes/kinesis.ts');
    return kinesisProbe({
      streams: kinesisStreams(settings.kinesisStream, settings.namespace),
      region: region(settings),
      endpoint: settings.aws.kinesisEndpoint,
      timeoutMs,
    });
  }
  return embeddedTransportProbe({ dir: join(settings.dataDir, 'transport'), topics, group, lagTopic });
}

const region = (settings: Settings) => settings.aws.region ?? 'us-east-1';
