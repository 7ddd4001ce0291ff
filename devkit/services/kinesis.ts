/**
 * Kinesis Data Streams, emulated by kinesis-mock (the npm package `kinesis-local`, a devDependency: plain
 * JavaScript on Node, no Java, no install script), for users without Docker.
 *
 * It runs as `node --require devkit/services/kinesis/loopback.cjs node_modules/kinesis-local/main.js`, detached, in the
 * run folder $TOP_SONGS_STACK_DIR/kinesis (data/, logs/kinesis.out, kinesis.pid). kinesis-mock listens on
 * two ports: plain HTTP (KINESIS_PORT, default 4567: what the platform uses) and HTTPS (KINESIS_TLS_PORT,
 * default 4568, self-signed); the preload makes both listen on 127.0.0.1 only. Its streams persist to
 * data/kinesis-data.json every second, so they survive a restart. `up` creates the stream
 * `top-songs-plays` (3 shards, the plays topic's partitions) and `top-songs-plays-dlq` (1).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { KinesisTransport } from '../../src/adapters/transport/kinesis/transport.ts';
import { topics } from '../../src/topology.ts';
import { portSetting, ServiceError, say } from './process.ts';
import { defineService, type ServiceLayout, type ServicePaths } from './service.ts';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
/** Marks kinesis-mock's node process among others (see runningPid). */
const MARKER = 'kinesis-local/main.js';
export const KINESIS_STREAM = 'top-songs-plays';
const REGION = 'us-east-1';
/** kinesis-mock accepts any credentials; these are the s3 service's, so either can be exported last. */
const ACCESS_KEY = 'top-songs';
const SECRET_KEY = 'top-songs-secret';

interface KinesisLayout extends ServiceLayout {
  readonly main: string;
  readonly preload: string;
  readonly certificate: string;
  readonly dataDir: string;
  readonly port: number;
  readonly tlsPort: number;
  readonly endpoint: string;
}

function layout(paths: ServicePaths): KinesisLayout {
  const packageDir = join(paths.projectDir, 'node_modules/kinesis-local');
  const runDir = join(paths.runDir, 'kinesis');
  const port = portSetting('KINESIS_PORT', 4567);
  const tlsPort = portSetting('KINESIS_TLS_PORT', 4568);
  if (port === tlsPort) throw new ServiceError('KINESIS_PORT and KINESIS_TLS_PORT must differ');
  return {
    main: join(packageDir, 'main.js'),
    preload: join(paths.projectDir, 'devkit/services/kinesis/loopback.cjs'),
    certificate: join(packageDir, 'server.json'),
    runDir,
    dataDir: join(runDir, 'data'),
    outFile: join(runDir, 'logs', 'kinesis.out'),
    pidFile: join(runDir, 'kinesis.pid'),
    port,
    tlsPort,
    endpoint: `http://127.0.0.1:${port}`,
  };
}

function client(kinesis: KinesisLayout): KinesisClient {
  return new KinesisClient({
    region: REGION,
    endpoint: kinesis.endpoint,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    // HTTP/1.1: the SDK's default HTTP/2 fails against kinesis-mock.
    requestHandler: new NodeHttpHandler({ connectionTimeout: 1_000, requestTimeout: 5_000 }),
    maxAttempts: 1,
  });
}

/** Creates the platform's streams when missing (shards = the topics' partitions) and waits until ACTIVE. */
async function ensureStreams(kinesis: KinesisLayout): Promise<void> {
  const streams = [
    { topic: topics.plays.name, stream: KINESIS_STREAM, shards: topics.plays.partitions },
    {
      topic: topics.deadLetters.name,
      stream: `${KINESIS_STREAM}-dlq`,
      shards: topics.deadLetters.partitions,
    },
  ];
  const transport = await KinesisTransport.open({
    streams,
    checkpointDir: kinesis.runDir,
    client: client(kinesis),
  });
  await transport.close();
  for (const { stream, shards } of streams) say(`kinesis: stream ${stream} (${shards} shards) active`);
}

export const kinesisService = defineService<KinesisLayout>({
  name: 'kinesis',
  description:
    'Kinesis Data Streams emulated by kinesis-mock (npm kinesis-local), with the stream top-songs-plays',
  marker: MARKER,
  stopTimeoutMs: STOP_TIMEOUT_MS,
  layout,
  ports: (kinesis) => [
    { port: kinesis.port, setting: 'KINESIS_PORT' },
    { port: kinesis.tlsPort, setting: 'KINESIS_TLS_PORT' },
  ],
  install(kinesis) {
    if (!existsSync(kinesis.main)) {
      throw new ServiceError(
        `kinesis: ${kinesis.main} is missing; run \`npm ci\` (kinesis-local is a devDependency)`,
      );
    }
  },
  prepare(kinesis) {
    mkdirSync(kinesis.dataDir, { recursive: true });
  },
  start: (kinesis) => ({
    what: 'kinesis-mock',
    readyWhen: `it answers on ${kinesis.endpoint}`,
    command: process.execPath,
    args: ['--require', kinesis.preload, kinesis.main],
    env: {
      ...process.env,
      KINESIS_MOCK_PLAIN_PORT: String(kinesis.port),
      KINESIS_MOCK_TLS_PORT: String(kinesis.tlsPort),
      KINESIS_MOCK_CERT_PATH: kinesis.certificate,
      AWS_REGION: REGION,
      SHOULD_PERSIST_DATA: 'true',
      LOAD_DATA_IF_EXISTS: 'true',
      PERSIST_PATH: kinesis.dataDir,
      PERSIST_INTERVAL: '1s',
      // Every test run creates streams of its own (4 shards); the default limit of 50 would run out.
      SHARD_LIMIT: '10000',
      LOG_LEVEL: 'WARN',
    },
  }),
  /** Ready means: ListStreams answers. */
  readiness(kinesis) {
    const probe = client(kinesis);
    return {
      what: 'kinesis-mock',
      timeoutMs: READY_TIMEOUT_MS,
      logFiles: [kinesis.outFile],
      probe: async () => {
        await probe.send(new ListStreamsCommand({ Limit: 1 }));
      },
      close: () => probe.destroy(),
    };
  },
  provision: ensureStreams,
  settings: (kinesis) => ({
    KINESIS_STREAM,
    // Kinesis only: the SDK's per-service setting leaves every other AWS client (S3, Secrets Manager) alone.
    AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
  }),
  runningNote: (kinesis) => `on ${kinesis.endpoint}; checking its streams`,
  keeps: (kinesis) => ({ what: 'data', where: kinesis.dataDir }),
});
