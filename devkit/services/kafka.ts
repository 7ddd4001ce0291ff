/**
 * Apache Kafka 4 (KRaft, one node that is broker and controller) from Maven Central, for users without Docker.
 *
 * devkit/services/kafka/pom.xml pins the broker's runtime classpath; `mvn dependency:copy-dependencies` copies it once
 * into $TOP_SONGS_CACHE/kafka-<version>/libs. The run folder ($TOP_SONGS_STACK_DIR/kafka) holds the generated
 * server.properties, the data (data/), the logs (logs/) and the pid file. The topics are those of
 * src/topology.ts, created with @platformatic/kafka's Admin client.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { topics } from '../../src/topology.ts';
import { portSetting, run, runOrFail, ServiceError, say } from './process.ts';
import { defineService, type ServiceLayout, type ServicePaths } from './service.ts';

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;
/** Marks the broker's java process among others (see runningPid). */
const MAIN_CLASS = 'kafka.Kafka';

interface KafkaLayout extends ServiceLayout {
  readonly version: string;
  readonly pom: string;
  readonly libsDir: string;
  readonly dataDir: string;
  readonly logsDir: string;
  readonly propertiesFile: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly brokers: string;
}

function layout(paths: ServicePaths): KafkaLayout {
  const pom = join(paths.projectDir, 'devkit/services/kafka/pom.xml');
  // The pom is the one place that pins the version.
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pom, 'utf8'))?.[1];
  if (!version) throw new ServiceError(`No <kafka.version> in ${pom}`);
  const runDir = join(paths.runDir, 'kafka');
  const port = portSetting('KAFKA_PORT', 9092);
  const controllerPort = portSetting('KAFKA_CONTROLLER_PORT', 9093);
  if (port === controllerPort) throw new ServiceError('KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ');
  return {
    version,
    pom,
    libsDir: join(paths.cacheDir, `kafka-${version}`, 'libs'),
    runDir,
    dataDir: join(runDir, 'data'),
    logsDir: join(runDir, 'logs'),
    pidFile: join(runDir, 'kafka.pid'),
    outFile: join(runDir, 'logs', 'kafka.out'),
    propertiesFile: join(runDir, 'server.properties'),
    port,
    controllerPort,
    brokers: `127.0.0.1:${port}`,
  };
}

function requireJava17(): void {
  const { status, stderr } = run(
    'java',
    ['-version'],
    'install a Java 17+ runtime (e.g. openjdk-17-jre-headless)',
  );
  const major = Number(/version "(?:1\.)?(\d+)/.exec(stderr)?.[1]);
  if (status !== 0 || !(major >= 17)) {
    throw new ServiceError(`Kafka 4 needs Java 17 or newer; \`java -version\` says:\n${stderr.trim()}`);
  }
}

/** Copies the pinned classpath into the cache, once per content of pom.xml. */
function install(kafka: KafkaLayout): void {
  const pomHash = createHash('sha256').update(readFileSync(kafka.pom)).digest('hex');
  const stamp = join(kafka.libsDir, '.installed');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === pomHash) return;

  say(`kafka: resolving Kafka ${kafka.version}'s classpath with Maven into ${kafka.libsDir} (once)`);
  const started = Date.now();
  const staging = `${kafka.libsDir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  const mvn = run(
    'mvn',
    ['-q', '-B', '-f', kafka.pom, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`],
    'install Maven 3 (e.g. the `maven` Debian package); it fetches the broker from Maven Central once',
  );
  if (mvn.status !== 0) {
    throw new ServiceError(
      `mvn could not resolve the Kafka classpath:\n${`${mvn.stdout}\n${mvn.stderr}`.trim()}`,
    );
  }
  writeFileSync(join(staging, '.installed'), `${pomHash}\n`);
  rmSync(kafka.libsDir, { recursive: true, force: true });
  renameSync(staging, kafka.libsDir);
  say(`kafka: classpath ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function java(kafka: KafkaLayout, paths: ServicePaths, mainClass: string, args: readonly string[]): string[] {
  return [
    '-Xmx512m',
    '-Xms256m',
    `-Dlog4j2.configurationFile=${join(paths.projectDir, 'devkit/services/kafka/log4j2.xml')}`,
    `-Dkafka.logs.dir=${kafka.logsDir}`,
    '-cp',
    join(kafka.libsDir, '*'),
    mainClass,
    ...args,
  ];
}

function writeProperties(kafka: KafkaLayout, paths: ServicePaths): void {
  const template = readFileSync(
    join(paths.projectDir, 'devkit/services/kafka/server.properties.template'),
    'utf8',
  );
  const values: Record<string, string> = {
    port: String(kafka.port),
    controllerPort: String(kafka.controllerPort),
    dataDir: kafka.dataDir,
  };
  const text = template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined)
      throw new ServiceError(`Unknown placeholder {{${name}}} in server.properties.template`);
    return value;
  });
  writeFileSync(kafka.propertiesFile, text);
}

/**
 * A cluster id: 16 random bytes in URL-safe base64 without padding, as `kafka-storage random-uuid` prints, and
 * like Kafka's own never starting with `-`, which the tool's argument parser would take for an option (CI
 * failed on such an id: "argument --cluster-id/-t: expected one argument").
 */
export function kafkaClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Formats the data folder once (a static quorum: controller.quorum.voters, so no --standalone). */
function formatStorage(kafka: KafkaLayout, paths: ServicePaths): void {
  if (existsSync(join(kafka.dataDir, 'meta.properties'))) return;
  const clusterId = kafkaClusterId();
  say(`kafka: formatting ${kafka.dataDir} (cluster id ${clusterId})`);
  runOrFail(
    'java',
    java(kafka, paths, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', kafka.propertiesFile]),
    'kafka-storage format',
    'install a Java 17+ runtime',
  );
}

function newAdmin(kafka: KafkaLayout): Admin {
  return new Admin({
    clientId: 'top-songs-stack',
    bootstrapBrokers: [kafka.brokers],
    retries: 0,
    timeout: 5_000,
  });
}

/** Creates the topics of src/topology.ts that are missing; reports those whose partition count differs. */
async function ensureTopics(kafka: KafkaLayout): Promise<void> {
  const declared = Object.values(topics);
  const admin = new Admin({ clientId: 'top-songs-stack', bootstrapBrokers: [kafka.brokers] });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = declared.filter((topic) => !existing.has(topic.name));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic: topic.name, partitions: topic.partitions, replicas: 1 })),
      });
    }
    const metadata = await admin.metadata({ topics: declared.map((topic) => topic.name), forceUpdate: true });
    for (const topic of declared) {
      const actual = metadata.topics.get(topic.name)?.partitionsCount;
      const note = missing.includes(topic) ? 'created' : 'exists';
      if (actual !== topic.partitions) {
        say(
          `kafka: WARNING topic ${topic.name} has ${actual} partitions, the topology declares ${topic.partitions} ` +
            '(`npm run services:down -- kafka --clean` then `npm run services:up` recreates it)',
        );
      } else {
        say(`kafka: topic ${topic.name} (${topic.partitions} partitions) ${note}`);
      }
    }
  } finally {
    await admin.close();
  }
}

export const kafkaService = defineService<KafkaLayout>({
  name: 'kafka',
  description: 'Apache Kafka 4 broker (KRaft, single node) with the topics of src/topology.ts',
  marker: MAIN_CLASS,
  stopTimeoutMs: STOP_TIMEOUT_MS,
  layout,
  ports: (kafka) => [
    { port: kafka.port, setting: 'KAFKA_PORT' },
    { port: kafka.controllerPort, setting: 'KAFKA_CONTROLLER_PORT' },
  ],
  install(kafka) {
    requireJava17();
    install(kafka);
  },
  prepare(kafka, paths) {
    writeProperties(kafka, paths);
    formatStorage(kafka, paths);
  },
  start: (kafka, paths) => ({
    what: `Kafka ${kafka.version}`,
    readyWhen: `it answers on ${kafka.brokers}`,
    command: 'java',
    args: java(kafka, paths, MAIN_CLASS, [kafka.propertiesFile]),
  }),
  /** Ready means: the broker answers a metadata request and lists itself among the brokers. */
  readiness: (kafka) => ({
    what: 'the broker',
    timeoutMs: READY_TIMEOUT_MS,
    logFiles: [kafka.outFile, join(kafka.logsDir, 'server.log')],
    probe: async () => {
      const admin = newAdmin(kafka);
      try {
        const metadata = await admin.metadata({ topics: [] });
        if (metadata.brokers.size === 0) throw new Error('no broker in the metadata yet');
      } finally {
        await admin.close().catch(() => {});
      }
    },
  }),
  provision: ensureTopics,
  settings: (kafka) => ({ KAFKA_BROKERS: kafka.brokers }),
  runningNote: (kafka) => `on ${kafka.brokers}; checking its topics`,
  keeps: (kafka) => ({ what: 'data', where: kafka.dataDir }),
});
