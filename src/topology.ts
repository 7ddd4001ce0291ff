/**
 * The system, declared once: its functions, what triggers each, its topics and schedules.
 * The local runtime (local/) and the CDK app (bin/, lib/) both read this declaration,
 * so what runs on a laptop is what deploys.
 */

import type { HttpMethod } from './domain/http/http.ts';

export type { HttpMethod };

export interface HttpRoute {
  readonly method: HttpMethod;
  /** A `{name}` segment matches any one segment, handed over as a path parameter (API Gateway's syntax). */
  readonly path: string;
  /** The function (with an `authorizer` trigger) that must allow a request before this route's function runs. */
  readonly authorizer?: FunctionName;
}

export interface TopicDeclaration {
  readonly name: string;
  readonly partitions: number;
  readonly purpose: string;
}

/** How a consumer function is fed, mirroring Lambda's Kafka event source mapping settings. */
export interface TopicTrigger {
  readonly kind: 'topic';
  readonly topic: string;
  readonly batchSize: number;
  readonly batchWindowSeconds: number;
  /**
   * Attempts of one batch before its first failing record goes to the dead-letter topic; `Infinity`: no
   * limit, only `maxRecordAgeSeconds` bounds the retries (Lambda's MaximumRetryAttempts -1).
   */
  readonly maxAttempts: number;
  /**
   * A failing record is retried until it is this old (since the transport received it), then it goes to the
   * dead-letter topic (Lambda's MaximumRecordAgeInSeconds, 60 s to 7 days); `Infinity`: no limit.
   */
  readonly maxRecordAgeSeconds: number;
  /**
   * When the function throws (rather than naming the failed records), split the batch in two and retry
   * each half, down to the one record at fault, so that only it reaches the dead-letter topic (Lambda's
   * BisectBatchOnFunctionError; splitting does not use up attempts).
   */
  readonly splitBatchOnError: boolean;
}

export interface HttpTrigger {
  readonly kind: 'http';
  readonly routes: readonly HttpRoute[];
}

export interface ScheduleTrigger {
  readonly kind: 'schedule';
  /** A fixed rate, the shape both EventBridge `rate()` and a local timer can honour exactly. */
  readonly everyMinutes: number;
  /** Run once as soon as the local runtime starts, so a fresh start shows data quickly. */
  readonly runAtStartup: boolean;
}

/**
 * An API Gateway HTTP API Lambda authorizer (payload 2.0, simple responses `{isAuthorized, context}`) for the
 * routes that name it: in the cloud an HttpLambdaAuthorizer, locally the HTTP server's authorizer step
 * (local/gateway-authorizer.ts), which behaves alike.
 */
export interface AuthorizerTrigger {
  readonly kind: 'authorizer';
  /** Header names (API Gateway's `$request.header.<name>`); a request missing one is a 401, unasked. */
  readonly identityHeaders: readonly string[];
  /** How long an answer, allow or deny, is reused for the same identity (header values). */
  readonly resultsCacheTtlSeconds: number;
}

/**
 * Once after every deploy, and on demand. The CDK app invokes the function asynchronously, without a payload,
 * when a deploy created or changed it (an aws-cdk-lib `triggers.Trigger`); the local runtime's counterpart is
 * the seeded catalog it writes at startup when the lake has none (local/catalog.ts).
 */
export interface DeployTrigger {
  readonly kind: 'deploy';
}

export type Trigger = HttpTrigger | TopicTrigger | ScheduleTrigger | AuthorizerTrigger | DeployTrigger;

export interface FunctionDeclaration {
  readonly name: FunctionName;
  readonly description: string;
  /** Path of the handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly trigger: Trigger;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

export const topics = {
  plays: { name: 'song-plays', partitions: 3, purpose: 'Accepted play events, keyed by user_id.' },
  deadLetters: {
    name: 'song-plays-dlq',
    partitions: 1,
    purpose: 'Records a consumer could not process after every retry, with the reason.',
  },
} as const satisfies Record<string, TopicDeclaration>;

export const functionNames = [
  'api-key-authorizer',
  'ingest',
  'lake-writer',
  'live-chart',
  'catalog-generate',
  'catalog-sync',
  'enrich',
  'chart-hourly',
  'chart-daily',
  'compact',
  'charts-api',
  'dead-letter-counter',
  'pipeline-api',
] as const;
export type FunctionName = (typeof functionNames)[number];

export const functions: readonly FunctionDeclaration[] = [
  {
    name: 'api-key-authorizer',
    description: 'Allows a request whose Authorization: Bearer header holds an API key in use.',
    entry: 'functions/api-key-authorizer/handler.ts',
    // A revoked key keeps working for at most this long (ingest's rate check sees revocations at once).
    trigger: { kind: 'authorizer', identityHeaders: ['Authorization'], resultsCacheTtlSeconds: 60 },
    timeoutSeconds: 5,
    memoryMb: 256,
  },
  {
    name: 'ingest',
    description:
      'Validates play events and hands the valid ones to the transport, within its API key’s rate.',
    entry: 'functions/ingest/handler.ts',
    trigger: {
      kind: 'http',
      routes: [{ method: 'POST', path: '/v1/plays', authorizer: 'api-key-authorizer' }],
    },
    timeoutSeconds: 10,
    memoryMb: 512,
  },
  {
    name: 'lake-writer',
    description: 'Writes play events from the topic to the data lake as partitioned Parquet.',
    entry: 'functions/lake-writer/handler.ts',
    trigger: {
      kind: 'topic',
      topic: topics.plays.name,
      // Lambda's largest batch (it also ends one at 6 MB of payload, about as many plays) within a 2 s
      // window: fewer, larger files at no cost to freshness, as charts run every minute (docs/decisions.md,
      // "Lake-writer batches: up to 10,000 records or 2 s").
      batchSize: 10_000,
      batchWindowSeconds: 2,
      // Every record it cannot take goes to rejects/, so a failing batch means the lake is unavailable: wait
      // it out, with backoff, for up to 6 hours (docs/decisions.md, "Lake-writer retries: wait out the lake").
      maxAttempts: Number.POSITIVE_INFINITY,
      maxRecordAgeSeconds: 6 * 3600,
      splitBatchOnError: true,
    },
    timeoutSeconds: 60,
    memoryMb: 1024,
  },
  {
    name: 'live-chart',
    description:
      'Keeps running tallies of the open hour and day from the topic, each event_id once (the live chart).',
    entry: 'functions/live-chart/handler.ts',
    trigger: {
      kind: 'topic',
      topic: topics.plays.name,
      // Its own consumer group (event source mapping), beside the lake-writer's: a play reaches the live chart
      // within about a second of its batch window plus one transaction, whatever the lake-writer is doing
      // (docs/decisions.md, "Live charts: exact running tallies").
      batchSize: 10_000,
      batchWindowSeconds: 1,
      // A failing batch means the database is away (invalid records are skipped, as the lake-writer rejects
      // them): wait it out. A batch is never dead-lettered: the lake-writer owns the plays' fate, and the
      // final chart from the lake stays the truth.
      maxAttempts: Number.POSITIVE_INFINITY,
      maxRecordAgeSeconds: Number.POSITIVE_INFINITY,
      splitBatchOnError: false,
    },
    timeoutSeconds: 60,
    memoryMb: 512,
  },
  {
    name: 'catalog-generate',
    description:
      'Generates the song catalog into the lake with a chat model (OpenAI API), or the seeded generator without a key.',
    entry: 'functions/catalog-generate/handler.ts',
    trigger: { kind: 'deploy' },
    // Lambda's most: a 2000-song catalog is 40 requests to the model, 4 at a time.
    timeoutSeconds: 900,
    memoryMb: 1024,
  },
  {
    name: 'catalog-sync',
    description: 'Enrichment: loads the song catalog from the lake into the database that serves charts.',
    entry: 'functions/catalog-sync/handler.ts',
    trigger: { kind: 'schedule', everyMinutes: 5, runAtStartup: true },
    timeoutSeconds: 60,
    memoryMb: 512,
  },
  {
    name: 'enrich',
    description:
      'Joins each closed hour’s plays (each event_id once, the 30 s rule flagged) with the catalog into enriched/ Parquet.',
    entry: 'functions/enrich/handler.ts',
    // Not at startup: the chart jobs read raw plays until an hour is enriched, with the same result.
    trigger: { kind: 'schedule', everyMinutes: 5, runAtStartup: false },
    timeoutSeconds: 300,
    memoryMb: 1024,
  },
  {
    name: 'chart-hourly',
    description: 'Computes the top-10 charts of UTC hours.',
    entry: 'functions/chart-hourly/handler.ts',
    trigger: { kind: 'schedule', everyMinutes: 1, runAtStartup: true },
    timeoutSeconds: 300,
    memoryMb: 1024,
  },
  {
    name: 'chart-daily',
    description: 'Computes the top-10 charts of UTC days.',
    entry: 'functions/chart-daily/handler.ts',
    // Every minute too, so the open day's provisional chart is as fresh as the hour's.
    trigger: { kind: 'schedule', everyMinutes: 1, runAtStartup: true },
    timeoutSeconds: 600,
    memoryMb: 2048,
  },
  {
    name: 'compact',
    description:
      'Compacts closed hours of plays into a few deduplicated, sorted files named by a manifest per hour.',
    entry: 'functions/compact/handler.ts',
    // Every 15 minutes: a closed hour's many small files are read by every chart run until compacted, and a
    // late file is folded in at the next run (docs/decisions.md, "Compaction").
    trigger: { kind: 'schedule', everyMinutes: 15, runAtStartup: false },
    // Lambda's most: a busy hour is hundreds of thousands of rows, and two days of hours may be due at once.
    timeoutSeconds: 900,
    memoryMb: 2048,
  },
  {
    name: 'charts-api',
    description: 'Serves charts, their history, songs and regions over HTTP, and the API’s OpenAPI document.',
    entry: 'functions/charts-api/handler.ts',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/v1/charts' },
        { method: 'GET', path: '/v1/charts/windows' },
        { method: 'GET', path: '/v1/songs/{song_id}' },
        { method: 'GET', path: '/v1/regions' },
        { method: 'GET', path: '/v1/openapi.json' },
      ],
    },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
  {
    name: 'dead-letter-counter',
    description:
      'Counts the records of the dead-letter topic per hour and region, each once (GET /v1/pipeline).',
    entry: 'functions/dead-letter-counter/handler.ts',
    trigger: {
      kind: 'topic',
      topic: topics.deadLetters.name,
      batchSize: 100,
      batchWindowSeconds: 1,
      // A record is only counted, never dropped: with no limit, a database outage is waited out, and nothing
      // is ever sent on to the dead-letter topic this function reads.
      maxAttempts: Number.POSITIVE_INFINITY,
      maxRecordAgeSeconds: Number.POSITIVE_INFINITY,
      splitBatchOnError: false,
    },
    timeoutSeconds: 30,
    memoryMb: 256,
  },
  {
    name: 'pipeline-api',
    description: 'Serves the counts at every hop of a window and the lag, reconciled (GET /v1/pipeline).',
    entry: 'functions/pipeline-api/handler.ts',
    trigger: { kind: 'http', routes: [{ method: 'GET', path: '/v1/pipeline' }] },
    timeoutSeconds: 10,
    memoryMb: 256,
  },
];

/**
 * Names in a shared cluster: with a namespace (TOP_SONGS_NAMESPACE), topics and consumer groups are
 * prefixed, so that several environments or test runs can share one Kafka cluster.
 */
export function qualified(name: string, namespace: string): string {
  return namespace ? `${namespace}.${name}` : name;
}

export function namespacedTopics(namespace: string): TopicDeclaration[] {
  return Object.values(topics).map((topic) => ({ ...topic, name: qualified(topic.name, namespace) }));
}

/** Every HTTP route of the system: what the OpenAPI document describes (src/use-cases/http-api). */
export const httpRoutes: readonly HttpRoute[] = functions.flatMap((fn) =>
  fn.trigger.kind === 'http' ? fn.trigger.routes : [],
);

export function functionNamed(name: FunctionName): FunctionDeclaration {
  const declaration = functions.find((fn) => fn.name === name);
  if (!declaration) throw new Error(`No function named ${name} in the topology`);
  return declaration;
}

/** The authorizer a route names, checked to be one; undefined for a public route. */
export function routeAuthorizer(
  route: HttpRoute,
): (FunctionDeclaration & { readonly trigger: AuthorizerTrigger }) | undefined {
  if (!route.authorizer) return undefined;
  const declaration = functionNamed(route.authorizer);
  if (declaration.trigger.kind !== 'authorizer') {
    throw new Error(`${route.method} ${route.path} names ${route.authorizer}, which is not an authorizer`);
  }
  return declaration as FunctionDeclaration & { readonly trigger: AuthorizerTrigger };
}

/**
 * A long-running Spark Structured Streaming job: locally `npm run spark:stream` (spark/run.sh), in the cloud
 * an EMR step (lib/constructs/spark-stream-step.ts, behind the `emr` switch). The defaults here are the CLI's
 * defaults in `<entry>/__main__.py`; test/unit/infra/spark-step.test.ts asserts that they agree.
 */
export interface StreamJobDeclaration {
  readonly name: string;
  readonly description: string;
  /** The Python package of the job, relative to the project root; `python -m <package>` runs it. */
  readonly entry: string;
  readonly topic: string;
  /** Micro-batch interval (`--trigger-seconds`). */
  readonly triggerSeconds: number;
  /** Spark of the job: pyspark's pin (spark/requirements.txt), `<spark.version>` of spark/pom.xml. */
  readonly sparkVersion: string;
}

export const streamJobs = [
  {
    name: 'spark-stream',
    description:
      'Writes play events from the topic to the data lake (the lake contract of lake-writer), at scale.',
    entry: 'spark/top_songs_stream',
    topic: topics.plays.name,
    triggerSeconds: 10,
    sparkVersion: '4.0.2',
  },
] as const satisfies readonly StreamJobDeclaration[];
