import { z } from 'zod';
import { defaultRegions, GLOBAL_REGION } from '../domain/regions.ts';

/**
 * The authentication methods of Lambda's Kafka event sources (CDK `AuthenticationMethod`) that the Kafka
 * transport speaks: SASL/SCRAM with SHA-512 or SHA-256, and BASIC_AUTH, which is SASL/PLAIN. All over TLS.
 */
export const kafkaAuthenticationMethods = [
  'SASL_SCRAM_512_AUTH',
  'SASL_SCRAM_256_AUTH',
  'BASIC_AUTH',
] as const;
export type KafkaAuthenticationMethod = (typeof kafkaAuthenticationMethods)[number];

/** An exported-but-blank variable means "not set". */
const blankAsUnset = (value: unknown) => (value === '' ? undefined : value);

/** A comma-separated list; unset or blank: empty. */
const commaList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

/** A small, cheap model that follows strict JSON schemas. */
export const DEFAULT_OPENAI_MODEL = 'gpt-4.1-mini';

/**
 * Every setting of the system, parsed once at the edge (a handler's cold start, the local
 * runtime's main) and passed down. Nothing below this file reads `process.env`.
 */
const settingsSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The interface the local runtime listens on: loopback unless widened (0.0.0.0 for all interfaces). */
  HOST: z.preprocess(
    blankAsUnset,
    z
      .string()
      .regex(/^\S+$/, 'an interface address or host name, e.g. 127.0.0.1 or 0.0.0.0')
      .default('127.0.0.1'),
  ),
  /** How long the local server waits for a request's headers, then for the whole request, before a 408. */
  HTTP_HEADERS_TIMEOUT_MS: z.preprocess(blankAsUnset, z.coerce.number().int().positive().default(10_000)),
  HTTP_REQUEST_TIMEOUT_MS: z.preprocess(blankAsUnset, z.coerce.number().int().positive().default(30_000)),
  /** Origins whose web pages may post plays (CORS); none by default, `*` for any. */
  INGEST_CORS_ORIGINS: commaList.pipe(
    z.array(
      z
        .string()
        .regex(
          /^(\*|https?:\/\/[^/\s,]+)$/,
          'an origin is scheme://host[:port] without a path, e.g. https://example.com, or *',
        ),
    ),
  ),
  /** Local runtime: how long a stop (SIGTERM, Ctrl-C) may take to finish what was taken before it exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.preprocess(blankAsUnset, z.coerce.number().int().positive().default(15_000)),
  DATABASE_URL: z.string().optional(),
  /** Deployed functions: the Secrets Manager secret holding the DATABASE_URL (read at cold start). */
  DATABASE_SECRET_ARN: z.string().optional(),
  LAKE_URI: z.string().min(1).optional(),
  KAFKA_BROKERS: z.string().optional(),
  /** Deployed ingest: the Secrets Manager secret with the brokers' SASL credentials, `{"username", "password"}`. */
  KAFKA_SECRET_ARN: z.string().optional(),
  /** How to authenticate with those credentials; the stack's default is SASL_SCRAM_512_AUTH. */
  KAFKA_AUTHENTICATION_METHOD: z.preprocess(
    blankAsUnset,
    z
      .enum(kafkaAuthenticationMethods, {
        error: (issue) =>
          `"${String(issue.input)}" is not supported; expected one of ${kafkaAuthenticationMethods.join(', ')} (SASL over TLS; BASIC_AUTH is SASL/PLAIN)`,
      })
      .optional(),
  ),
  /** How long ingest waits for the Kafka brokers before answering 503; must fit ingest's function timeout. */
  KAFKA_PUBLISH_TIMEOUT_MS: z.preprocess(blankAsUnset, z.coerce.number().int().positive().optional()),
  KINESIS_STREAM: z.string().optional(),
  /**
   * How long one database operation (waiting for a connection included) may take before it fails as
   * "unavailable" (503 from the charts API); unset: the most that fits the charts API's function timeout.
   */
  DATABASE_TIMEOUT_MS: z.preprocess(blankAsUnset, z.coerce.number().int().positive().optional()),
  /** How long the charts API answers a chart from memory before it reads it again; 0: every request reads. */
  CHARTS_API_LIVE_CACHE_MS: z.preprocess(blankAsUnset, z.coerce.number().int().nonnegative().default(2_000)),
  /**
   * How long after a chart is written elsewhere (a restatement) the charts API may still serve the answer it
   * kept; 0: not at all, at the price of a database round trip in every request.
   */
  CHARTS_API_REVISION_MAX_AGE_MS: z.preprocess(
    blankAsUnset,
    z.coerce.number().int().nonnegative().default(250),
  ),
  REGIONS: z
    .string()
    .optional()
    .transform((value) =>
      value
        ? value
            .split(',')
            .map((code) => code.trim())
            .filter(Boolean)
        : [...defaultRegions],
    )
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^[a-z]{2,8}$/, 'region codes are 2–8 lowercase letters')
            .refine(
              (code) => code !== GLOBAL_REGION,
              `"${GLOBAL_REGION}" is the chart of all regions, not a region`,
            ),
        )
        .min(1),
    ),
  /** Prefix of topic and consumer-group names, for sharing one Kafka cluster. */
  TOP_SONGS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, _ and - only')
    .default(''),
  /** Where local mode keeps its embedded transport log, lake folder and database. */
  TOP_SONGS_DATA_DIR: z.string().default('.data'),
  /** Clients (`npm run invoke`; the simulator reads it too): the API key for POST /v1/plays; unset: the development key. */
  TOP_SONGS_API_KEY: z.preprocess(blankAsUnset, z.string().optional()),
  /** Local runtime: write the event loop's delay to stderr every this many seconds (the soak benchmark reads it). */
  TOP_SONGS_EVENT_LOOP_REPORT_SECONDS: z.preprocess(blankAsUnset, z.coerce.number().positive().optional()),
  /** A diagnostic: write the PostgreSQL pool's occupancy and who held its connections to stderr every this many seconds. */
  TOP_SONGS_POOL_REPORT_SECONDS: z.preprocess(blankAsUnset, z.coerce.number().positive().optional()),
  AWS_REGION: z.string().optional(),
  AWS_ENDPOINT_URL: z.string().optional(),
  AWS_ENDPOINT_URL_S3: z.string().optional(),
  AWS_ENDPOINT_URL_KINESIS: z.string().optional(),
  /** Path-style S3 addressing (`endpoint/bucket/key`); unset: on exactly when an S3 endpoint is set. */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).optional(),
  /** The CloudWatch namespace of the deployed functions' metrics (the CDK app sets `TopSongs/<stage>`). */
  METRICS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_./#:-]{1,255}$/, 'letters, digits and . _ / # : - only (CloudWatch namespace)')
    .default('TopSongs'),
  /** Set by AWS Lambda in every execution environment (and by emulators that run functions as Lambda). */
  AWS_LAMBDA_FUNCTION_NAME: z.preprocess(blankAsUnset, z.string().optional()),
  /** Set by AWS Lambda too: the function's memory in MB, which DuckDB's memory limit is taken from. */
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: z.preprocess(blankAsUnset, z.coerce.number().int().positive().optional()),
  /** The catalog generator's chat model (and the doctor's OpenAI check): its key; unset: the seeded catalog. */
  OPENAI_API_KEY: z.preprocess(blankAsUnset, z.string().optional()),
  /** Deployed catalog-generate: the Secrets Manager secret with the key, `{"api_key": "..."}` (read at cold start). */
  OPENAI_SECRET_ARN: z.preprocess(blankAsUnset, z.string().optional()),
  /** An OpenAI-compatible server (Ollama, vLLM, LM Studio: `http://127.0.0.1:11434/v1`); unset: OpenAI's own. */
  OPENAI_BASE_URL: z.preprocess(
    blankAsUnset,
    z.url({ protocol: /^https?$/, error: 'an http(s) URL, e.g. http://127.0.0.1:11434/v1' }).optional(),
  ),
  OPENAI_MODEL: z.preprocess(blankAsUnset, z.string().default(DEFAULT_OPENAI_MODEL)),
  /** The client's retries of 429, 5xx and connection errors (with backoff, honouring Retry-After). */
  OPENAI_MAX_RETRIES: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(20).default(5)),
  /** How long one request may take, the model's generation included. */
  OPENAI_TIMEOUT_MS: z.preprocess(blankAsUnset, z.coerce.number().int().positive().default(180_000)),
  /** `npm run doctor`: how long each connection check may take (--timeout overrides it). */
  DOCTOR_TIMEOUT_MS: z.preprocess(blankAsUnset, z.coerce.number().int().positive().default(10_000)),
});

export type RawSettings = z.infer<typeof settingsSchema>;

/** Where the official OpenAI client goes when no base URL is given. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export type LakeLocation = { kind: 'folder'; path: string } | { kind: 's3'; bucket: string; prefix: string };

export interface Settings {
  readonly port: number;
  /** The local runtime's HTTP server (the deployed API is API Gateway's). */
  readonly http: LocalHttpSettings;
  readonly shutdownTimeoutMs: number;
  readonly databaseUrl: string | undefined;
  /** Where to read the database URL from when DATABASE_URL is not given. */
  readonly databaseSecretArn: string | undefined;
  readonly lake: LakeLocation;
  readonly kafkaBrokers: readonly string[] | undefined;
  /** SASL (over TLS) to the Kafka brokers, with the credentials in this secret; absent: no authentication. */
  readonly kafkaAuth: { readonly secretId: string; readonly method: KafkaAuthenticationMethod } | undefined;
  /** KAFKA_PUBLISH_TIMEOUT_MS; unset: derived from ingest's function timeout (publishTimeoutWithin, service-timeouts.ts). */
  readonly kafkaPublishTimeoutMs: number | undefined;
  readonly kinesisStream: string | undefined;
  /** DATABASE_TIMEOUT_MS; unset: derived from the charts API's function timeout (databaseTimeoutWithin, service-timeouts.ts). */
  readonly databaseTimeoutMs: number | undefined;
  /** CHARTS_API_LIVE_CACHE_MS: how long a chart answer is kept in memory (answer-cache.ts); 0: not at all. */
  readonly chartsApiLiveCacheMs: number;
  /** CHARTS_API_REVISION_MAX_AGE_MS: how old a revision read may be and still vouch for a kept answer. */
  readonly chartsApiRevisionMaxAgeMs: number;
  readonly regions: readonly string[];
  readonly dataDir: string;
  /** Seconds between event-loop delay reports on stderr; undefined: none. */
  readonly eventLoopReportSeconds: number | undefined;
  /** Seconds between reports of the PostgreSQL pool's use on stderr (pool-report.ts); undefined: none. */
  readonly poolReportSeconds: number | undefined;
  readonly namespace: string;
  /** TOP_SONGS_API_KEY: the key a local client (`npm run invoke`) sends to POST /v1/plays; undefined: the development key. */
  readonly clientApiKey: string | undefined;
  /**
   * The function's name when this process runs in AWS Lambda, where the local-only adapters have no
   * place: its disk is temporary and private to one execution environment. Absent: local runtime, CLI.
   */
  readonly lambdaFunctionName: string | undefined;
  /** Where the functions' metrics go in CloudWatch, when they run in AWS Lambda. */
  readonly metricsNamespace: string;
  /** The Lambda function's memory (MB); absent outside Lambda, where the topology's declaration stands in. */
  readonly lambdaMemoryMb: number | undefined;
  readonly openAi: OpenAiSettings;
  readonly doctorTimeoutMs: number;
  readonly aws: {
    readonly region: string | undefined;
    readonly endpoint: string | undefined;
    readonly s3Endpoint: string | undefined;
    /** Where Kinesis is (the SDK reads it itself; named here for messages). */
    readonly kinesisEndpoint: string | undefined;
    /** S3-compatible servers usually want path-style addressing; AWS itself prefers virtual-hosted style. */
    readonly s3ForcePathStyle: boolean;
  };
}

/** The chat model the catalog is generated with. Never logged: it holds the key. */
export interface OpenAiSettings {
  readonly apiKey: string | undefined;
  /** Where to read the key from when OPENAI_API_KEY is not given (deployed functions). */
  readonly secretArn: string | undefined;
  readonly baseUrl: string | undefined;
  readonly model: string;
  readonly maxRetries: number;
  readonly timeoutMs: number;
}

export interface LocalHttpSettings {
  readonly host: string;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Origins whose pages may post plays; empty: none. */
  readonly ingestCorsOrigins: readonly string[];
}

export class SettingsError extends Error {
  override name = 'SettingsError';
}

export function parseLakeUri(uri: string): LakeLocation {
  if (uri.startsWith('s3://')) {
    const [bucket = '', ...rest] = uri.slice('s3://'.length).split('/');
    if (!bucket) throw new SettingsError(`LAKE_URI "${uri}" names no bucket; expected s3://bucket/prefix`);
    const prefix = rest.filter(Boolean).join('/');
    return { kind: 's3', bucket, prefix: prefix ? `${prefix}/` : '' };
  }
  if (uri.includes('://')) {
    throw new SettingsError(`LAKE_URI "${uri}" is neither a folder nor s3://bucket/prefix`);
  }
  return { kind: 'folder', path: uri };
}

export function loadSettings(env: Record<string, string | undefined>): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new SettingsError(`Invalid settings: ${problems.join('; ')}`);
  }
  const raw = parsed.data;
  if (raw.KAFKA_AUTHENTICATION_METHOD && !raw.KAFKA_SECRET_ARN) {
    throw new SettingsError(
      `Invalid settings: KAFKA_AUTHENTICATION_METHOD ${raw.KAFKA_AUTHENTICATION_METHOD} needs KAFKA_SECRET_ARN, the secret with the credentials`,
    );
  }
  if (raw.HTTP_HEADERS_TIMEOUT_MS > raw.HTTP_REQUEST_TIMEOUT_MS) {
    throw new SettingsError(
      `Invalid settings: HTTP_HEADERS_TIMEOUT_MS ${raw.HTTP_HEADERS_TIMEOUT_MS} exceeds HTTP_REQUEST_TIMEOUT_MS ${raw.HTTP_REQUEST_TIMEOUT_MS}; the headers are part of the request`,
    );
  }
  return {
    port: raw.PORT,
    http: {
      host: raw.HOST,
      headersTimeoutMs: raw.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: raw.HTTP_REQUEST_TIMEOUT_MS,
      ingestCorsOrigins: raw.INGEST_CORS_ORIGINS,
    },
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    databaseUrl: raw.DATABASE_URL || undefined,
    databaseSecretArn: raw.DATABASE_SECRET_ARN || undefined,
    lake: parseLakeUri(raw.LAKE_URI ?? `${raw.TOP_SONGS_DATA_DIR}/lake`),
    kafkaBrokers: raw.KAFKA_BROKERS ? raw.KAFKA_BROKERS.split(',').map((broker) => broker.trim()) : undefined,
    kafkaAuth: raw.KAFKA_SECRET_ARN
      ? { secretId: raw.KAFKA_SECRET_ARN, method: raw.KAFKA_AUTHENTICATION_METHOD ?? 'SASL_SCRAM_512_AUTH' }
      : undefined,
    kafkaPublishTimeoutMs: raw.KAFKA_PUBLISH_TIMEOUT_MS,
    kinesisStream: raw.KINESIS_STREAM || undefined,
    databaseTimeoutMs: raw.DATABASE_TIMEOUT_MS,
    chartsApiLiveCacheMs: raw.CHARTS_API_LIVE_CACHE_MS,
    chartsApiRevisionMaxAgeMs: raw.CHARTS_API_REVISION_MAX_AGE_MS,
    regions: raw.REGIONS,
    dataDir: raw.TOP_SONGS_DATA_DIR,
    eventLoopReportSeconds: raw.TOP_SONGS_EVENT_LOOP_REPORT_SECONDS,
    poolReportSeconds: raw.TOP_SONGS_POOL_REPORT_SECONDS,
    namespace: raw.TOP_SONGS_NAMESPACE,
    clientApiKey: raw.TOP_SONGS_API_KEY,
    lambdaFunctionName: raw.AWS_LAMBDA_FUNCTION_NAME,
    metricsNamespace: raw.METRICS_NAMESPACE,
    lambdaMemoryMb: raw.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    openAi: {
      apiKey: raw.OPENAI_API_KEY,
      secretArn: raw.OPENAI_SECRET_ARN,
      baseUrl: raw.OPENAI_BASE_URL,
      model: raw.OPENAI_MODEL,
      maxRetries: raw.OPENAI_MAX_RETRIES,
      timeoutMs: raw.OPENAI_TIMEOUT_MS,
    },
    doctorTimeoutMs: raw.DOCTOR_TIMEOUT_MS,
    aws: {
      region: raw.AWS_REGION,
      endpoint: raw.AWS_ENDPOINT_URL,
      s3Endpoint: raw.AWS_ENDPOINT_URL_S3,
      kinesisEndpoint: raw.AWS_ENDPOINT_URL_KINESIS ?? raw.AWS_ENDPOINT_URL,
      s3ForcePathStyle: raw.S3_FORCE_PATH_STYLE
        ? raw.S3_FORCE_PATH_STYLE === 'true'
        : Boolean(raw.AWS_ENDPOINT_URL_S3 ?? raw.AWS_ENDPOINT_URL),
    },
  };
}
