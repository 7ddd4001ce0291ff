import { homedir } from 'node:os';
import { join } from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import { loadSettings } from '../../src/config/settings.ts';
import { defaultRegions } from '../../src/domain/regions.ts';
import { streamJobs } from '../../src/topology.ts';
import {
  commaList,
  type emrSettingsSchema,
  emrSwitch,
  jsonObject,
  kafkaSchema,
  secretArn,
} from './context-values.ts';

/**
 * The CDK app's configuration, read once in bin/app.ts from CDK context (`cdk.json` or `-c key=value`)
 * and the environment, validated here, and passed down as typed props. Nothing under lib/ reads
 * context or `process.env` itself.
 *
 * | setting             | context key         | environment                          | default                    |
 * |---------------------|---------------------|--------------------------------------|----------------------------|
 * | stage               | `stage`             | `TOP_SONGS_STAGE`                    | `dev`                      |
 * | region codes        | `regions`           | `TOP_SONGS_REGIONS` (comma-separated)| `defaultRegions`           |
 * | database            | `database`          | `TOP_SONGS_DATABASE`                 | `secret` (or `rds`)        |
 * | database secret     | `databaseSecretArn` | `TOP_SONGS_DATABASE_SECRET_ARN`      | a new secret to fill in    |
 * | Kafka brokers       | `kafka`             | `TOP_SONGS_KAFKA_BOOTSTRAP_SERVERS`  | none (Kinesis carries topics) |
 * | Kafka credentials   | `kafka.secretArn`   | `TOP_SONGS_KAFKA_SECRET_ARN`         | required with brokers      |
 * | Kafka auth method   | `kafka.authenticationMethod` | `TOP_SONGS_KAFKA_AUTHENTICATION_METHOD` | `SASL_SCRAM_512_AUTH` |
 * | Amazon MSK cluster  | `kafka.mskClusterArn` | `TOP_SONGS_KAFKA_MSK_CLUSTER_ARN`     | none: self-managed Kafka   |
 * | transport           | `transport`         | `TOP_SONGS_TRANSPORT`                | `kafka` if Kafka is configured, else `kinesis` |
 * | Spark job on EMR    | `emr` (`true` or an object, below) | `TOP_SONGS_EMR` (`true`/JSON) | off: no EMR resources |
 * | Spark connector jars| `emr.jarsDir`       | `TOP_SONGS_SPARK_JARS`               | spark/setup.sh's cache folder |
 * | Lambda architecture | `architecture`      | `TOP_SONGS_ARCHITECTURE`             | `arm64` (Graviton: cheaper) |
 * | dashboard site      | `site`              | `TOP_SONGS_SITE`                     | `cloudfront` (or `bucket`, `none`) |
 * | ingest CORS origins | `ingestCorsOrigins` | `TOP_SONGS_INGEST_CORS_ORIGINS`      | none: no page may post plays |
 * | OpenAI key secret   | `openAiSecretArn`   | `TOP_SONGS_OPENAI_SECRET_ARN`        | a new secret `{"api_key": ""}` to fill in |
 * | catalog chat model  | `openAiModel`       | `TOP_SONGS_OPENAI_MODEL`             | OPENAI_MODEL's default     |
 * | OpenAI-compatible server | `openAiBaseUrl` | `TOP_SONGS_OPENAI_BASE_URL`         | OpenAI's API               |
 * | alarm e-mails       | `alarmEmails`       | `TOP_SONGS_ALARM_EMAILS` (comma-separated) | none: alarms notify the topic only |
 *
 * There is no embedded transport in the cloud: a deployed function's temporary disk is no place for
 * acknowledged plays, so a plain `cdk deploy` gets Kinesis (and the functions refuse the embedded transport
 * when they run in Lambda: src/wiring/dependencies.ts).
 *
 * Context wins over the environment. The deploy settings carry a `TOP_SONGS_` prefix on purpose:
 * `REGIONS` and `KAFKA_BROKERS` configure the local runtime, and a shell that runs the local stack
 * must not deploy Lambda event sources pointing at 127.0.0.1 by accident.
 */

const appConfigSchema = z
  .strictObject({
    stage: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{0,19}$/,
        'stage is lowercase letters, digits and dashes, starting with a letter',
      )
      .default('dev'),
    regions: commaList
      .pipe(z.array(z.string()).min(1, 'name at least one region code'))
      .default([...defaultRegions])
      .transform((regions, ctx) => {
        // The very rules the functions apply to REGIONS at cold start: what deploys is what they accept.
        try {
          return loadSettings({ REGIONS: regions.join(',') }).regions;
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    /**
     * `secret`: the functions read DATABASE_URL from a secret (configured or created to fill in);
     * `rds`: the stack creates a VPC and an RDS PostgreSQL instance (lib/constructs/rds-database.ts).
     */
    database: z.enum(['secret', 'rds']).default('secret'),
    databaseSecretArn: secretArn.optional(),
    kafka: jsonObject.pipe(kafkaSchema).optional(),
    /**
     * `kinesis`: the stack creates Kinesis data streams and feeds topic-triggered functions from them;
     * `kafka`: the configured brokers carry the topics. Unset: `kafka` when configured, else `kinesis`.
     */
    transport: z.enum(['kinesis', 'kafka']).optional(),
    emr: emrSwitch.optional(),
    /**
     * Of the functions and of the native modules installed for them (DuckDB). Emulators run the handlers
     * on the deploying machine, so deploy:local asks for that machine's architecture.
     */
    architecture: z.enum(['arm64', 'x86_64']).default('arm64'),
    /**
     * The static dashboard: `cloudfront` (private bucket behind CloudFront), `bucket` (S3 website hosting,
     * public read: for emulators without CloudFront) or `none` (lib/constructs/dashboard-site.ts).
     */
    site: z.enum(['cloudfront', 'bucket', 'none']).default('cloudfront'),
    /** Origins whose web pages may post plays (CORS), as INGEST_CORS_ORIGINS is for the local runtime. */
    ingestCorsOrigins: commaList.default([]).transform((origins, ctx) => {
      // The very rules of the local runtime's setting.
      try {
        return loadSettings({ INGEST_CORS_ORIGINS: origins.join(',') }).http.ingestCorsOrigins;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
    /** catalog-generate's key: an existing secret `{"api_key": "…"}`; absent: one is created, empty. */
    openAiSecretArn: secretArn.optional(),
    openAiModel: z.string().min(1).optional(),
    /** The very rules of OPENAI_BASE_URL. */
    openAiBaseUrl: z
      .string()
      .optional()
      .transform((url, ctx) => {
        try {
          return loadSettings({ OPENAI_BASE_URL: url }).openAi.baseUrl;
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    /** Who hears of an alarm: e-mail subscriptions to the alarm topic (each confirms by mail once). */
    alarmEmails: commaList
      .pipe(z.array(z.email('alarm e-mails are addresses like ops@example.com')))
      .default([]),
  })
  .refine((config) => !(config.transport === 'kinesis' && config.kafka), {
    message: 'transport kinesis and kafka exclude each other: configure one transport',
    path: ['transport'],
  })
  .refine((config) => !(config.transport === 'kafka' && !config.kafka), {
    message:
      'transport kafka needs the brokers: set the kafka context (or TOP_SONGS_KAFKA_BOOTSTRAP_SERVERS), or drop transport for Kinesis',
    path: ['transport'],
  })
  .refine((config) => !(config.database === 'rds' && config.databaseSecretArn), {
    message:
      'database rds and databaseSecretArn exclude each other: rds creates its own secret; drop one of them',
    path: ['database'],
  })
  .refine((config) => !(config.emr && !config.kafka), {
    message: 'emr runs the Spark job, which reads Kafka: configure kafka too',
    path: ['emr'],
  });

export type KafkaConfig = z.infer<typeof kafkaSchema>;

export type EmrConfig = Omit<z.infer<typeof emrSettingsSchema>, 'jarsDir'> & {
  /** Always set: the configured folder, else `${TOP_SONGS_CACHE:-~/.cache/top-songs}/spark-<version>/jars`. */
  readonly jarsDir: string;
};

export interface AppConfig {
  readonly stage: string;
  readonly regions: readonly string[];
  /** `secret`: DATABASE_URL from a secret; `rds`: an RDS PostgreSQL instance in a VPC of its own. */
  readonly database: 'secret' | 'rds';
  /** With `database: secret`, a secret whose value is the DATABASE_URL; absent: one is created to fill in. */
  readonly databaseSecretArn: string | undefined;
  /** Amazon MSK or self-managed Kafka: set exactly when `transport` is `kafka`. */
  readonly kafka: KafkaConfig | undefined;
  /** What carries the topics: `kinesis` streams created by the stack (the default), or the configured Kafka. */
  readonly transport: 'kinesis' | 'kafka';
  /** The Spark streaming job as an EMR step on an always-on cluster; absent: no EMR resources. */
  readonly emr: EmrConfig | undefined;
  readonly architecture: 'arm64' | 'x86_64';
  /** How the dashboard is served: CloudFront, an S3 website (emulators), or not deployed. */
  readonly site: 'cloudfront' | 'bucket' | 'none';
  /** Origins whose pages may post plays; empty: none (pages may only read). */
  readonly ingestCorsOrigins: readonly string[];
  /** The catalog job's chat model: where its key is (absent: a secret is created), which model, which server. */
  readonly openAi: {
    readonly secretArn: string | undefined;
    readonly model: string | undefined;
    readonly baseUrl: string | undefined;
  };
  /** E-mail addresses subscribed to the alarm topic; empty: the topic has no subscriber until one is added. */
  readonly alarmEmails: readonly string[];
  /** `dev` stages are disposable; any other stage keeps its data when the stack goes. */
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: RetentionDays;
}

export class AppConfigError extends Error {
  override name = 'AppConfigError';
}

/** How bin/app.ts hands over CDK context: `(key) => app.node.tryGetContext(key)`. */
export type ContextReader = (key: string) => unknown;

export function loadAppConfig(context: ContextReader, env: Record<string, string | undefined>): AppConfig {
  const envKafka = env.TOP_SONGS_KAFKA_BOOTSTRAP_SERVERS
    ? {
        bootstrapServers: env.TOP_SONGS_KAFKA_BOOTSTRAP_SERVERS,
        secretArn: env.TOP_SONGS_KAFKA_SECRET_ARN,
        authenticationMethod: env.TOP_SONGS_KAFKA_AUTHENTICATION_METHOD,
        mskClusterArn: env.TOP_SONGS_KAFKA_MSK_CLUSTER_ARN,
      }
    : undefined;
  const raw = {
    stage: context('stage') ?? env.TOP_SONGS_STAGE,
    regions: context('regions') ?? env.TOP_SONGS_REGIONS,
    database: context('database') ?? env.TOP_SONGS_DATABASE,
    databaseSecretArn: context('databaseSecretArn') ?? env.TOP_SONGS_DATABASE_SECRET_ARN,
    kafka: context('kafka') ?? envKafka,
    transport: context('transport') ?? env.TOP_SONGS_TRANSPORT,
    emr: context('emr') ?? env.TOP_SONGS_EMR,
    architecture: context('architecture') ?? env.TOP_SONGS_ARCHITECTURE,
    site: context('site') ?? env.TOP_SONGS_SITE,
    ingestCorsOrigins: context('ingestCorsOrigins') ?? env.TOP_SONGS_INGEST_CORS_ORIGINS,
    openAiSecretArn: context('openAiSecretArn') ?? env.TOP_SONGS_OPENAI_SECRET_ARN,
    openAiModel: context('openAiModel') ?? env.TOP_SONGS_OPENAI_MODEL,
    openAiBaseUrl: context('openAiBaseUrl') ?? env.TOP_SONGS_OPENAI_BASE_URL,
    alarmEmails: context('alarmEmails') ?? env.TOP_SONGS_ALARM_EMAILS,
  };
  // Empty strings (an exported-but-blank variable) mean "not set".
  const present = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => value !== undefined && value !== null && value !== ''),
  );
  const parsed = appConfigSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new AppConfigError(`Invalid Top Songs CDK configuration: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  const disposable = config.stage === 'dev';
  return {
    stage: config.stage,
    regions: config.regions,
    database: config.database,
    databaseSecretArn: config.databaseSecretArn,
    kafka: config.kafka,
    transport: config.transport ?? (config.kafka ? 'kafka' : 'kinesis'),
    architecture: config.architecture,
    site: config.site,
    ingestCorsOrigins: config.ingestCorsOrigins,
    openAi: { secretArn: config.openAiSecretArn, model: config.openAiModel, baseUrl: config.openAiBaseUrl },
    alarmEmails: config.alarmEmails,
    emr: config.emr && {
      ...config.emr,
      jarsDir:
        config.emr.jarsDir ??
        env.TOP_SONGS_SPARK_JARS ??
        join(
          env.TOP_SONGS_CACHE || join(env.HOME || homedir(), '.cache', 'top-songs'),
          `spark-${streamJobs[0].sparkVersion}`,
          'jars',
        ),
    },
    removalPolicy: disposable ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    logRetention: disposable ? RetentionDays.ONE_WEEK : RetentionDays.THREE_MONTHS,
  };
}
