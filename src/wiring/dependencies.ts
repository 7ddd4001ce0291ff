import { emfMetrics } from '../adapters/metrics/emf.ts';
import { prometheusMetrics } from '../adapters/metrics/prometheus.ts';
import { PostgresApiKeyStore } from '../adapters/postgres/api-key-store.ts';
import { PostgresChartStore } from '../adapters/postgres/chart-store.ts';
import { PostgresLiveChartStore } from '../adapters/postgres/live-charts.ts';
import { PostgresPipelineCountStore } from '../adapters/postgres/pipeline-counts.ts';
import { PostgresRateLimiter } from '../adapters/postgres/rate-limiter.ts';
import { databaseTimeoutWithin, publishTimeoutWithin } from '../config/service-timeouts.ts';
import { loadSettings, type Settings, SettingsError } from '../config/settings.ts';
import type { PreparedJson } from '../domain/http/conditional.ts';
import type { ApiKeyStore } from '../ports/api-key-store.ts';
import type { ChartStore } from '../ports/chart-store.ts';
import { type Clock, systemClock } from '../ports/clock.ts';
import type { LiveChartStore } from '../ports/live-chart-store.ts';
import { METRICS_SERVICE, type Metrics } from '../ports/metrics.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { PipelineCountStore } from '../ports/pipeline-counts.ts';
import type { RateLimiter } from '../ports/rate-limiter.ts';
import { type Transport, TransportUnavailableError } from '../ports/transport.ts';
import { functionNamed } from '../topology.ts';
import { AnswerCache } from '../use-cases/charts-api/answer-cache.ts';
import { createLake, createTransport } from './connections.ts';
import { databasePools, poolScope } from './database-pools.ts';
import { logger } from './logger.ts';
import { sharedUntilFailure } from './opened-on-use.ts';

/**
 * The composition root: turns settings into adapters, each created on first use (lake-writer never
 * opens a database connection) and shared by everything in the process, except the database's: those are
 * each function's own, on its own pool, as in AWS Lambda (database-pools.ts).
 */
export interface Dependencies {
  readonly settings: Settings;
  readonly clock: Clock;
  /** Shared by every function of the process: CloudWatch EMF in AWS Lambda, else a Prometheus registry. */
  readonly metrics: Metrics;
  lake(): ObjectStore;
  transport(): Promise<Transport>;
  chartStore(): Promise<ChartStore>;
  apiKeys(): Promise<ApiKeyStore>;
  rateLimiter(): Promise<RateLimiter>;
  /**
   * The charts API's answers kept in memory, each served only while the chart store's revision has not moved
   * since it was read (and, unless a final chart of a given window, for CHARTS_API_LIVE_CACHE_MS at most).
   */
  readonly chartAnswers: AnswerCache<PreparedJson | undefined>;
  pipelineCounts(): Promise<PipelineCountStore>;
  /** The live chart's tallies: written by the live-chart function, read by the charts and pipeline APIs. */
  liveCharts(): Promise<LiveChartStore>;
  close(): Promise<void>;
}

export function createDependencies(
  settings: Settings,
  clock: Clock = systemClock,
  metrics: Metrics = defaultMetrics(settings),
): Dependencies {
  // Checked now (with Kafka, the only transport it applies to), so that a publish timeout that does not
  // fit ingest's function timeout fails the start.
  const publishTimeoutMs = settings.kafkaBrokers
    ? publishTimeoutWithin(functionNamed('ingest').timeoutSeconds, settings.kafkaPublishTimeoutMs)
    : undefined;
  // Likewise: every database wait is bounded so that the charts API answers 503 before it times out.
  const databaseTimeoutMs = databaseTimeoutWithin(
    functionNamed('charts-api').timeoutSeconds,
    settings.databaseTimeoutMs,
  );
  let lake: ObjectStore | undefined;
  let transport: Transport | undefined;
  const pools = databasePools(settings, databaseTimeoutMs);
  const chartAnswers = new AnswerCache<PreparedJson | undefined>({
    ttlMs: settings.chartsApiLiveCacheMs,
    revisionMaxAgeMs: settings.chartsApiRevisionMaxAgeMs,
    maxEntries: CHART_ANSWERS_KEPT,
    revision: async () => (await adapters().chartStore()).revision(),
  });
  // The database's adapters of each function's pool (database-pools.ts), each opened on first use.
  const scopes = new Map<string, DatabaseAdapters>();
  const adapters = (): DatabaseAdapters => {
    const scope = poolScope();
    let opened = scopes.get(scope);
    if (!opened) {
      const database = sharedUntilFailure(() => pools.open(scope));
      opened = {
        // This process's own writes (the local runtime runs the chart jobs beside the API) are served at once.
        chartStore: sharedUntilFailure(async () =>
          announcingWrites(new PostgresChartStore(await database(), databaseTimeoutMs), () =>
            chartAnswers.revisionMoved(),
          ),
        ),
        apiKeys: sharedUntilFailure(async () => new PostgresApiKeyStore(await database(), databaseTimeoutMs)),
        rateLimiter: sharedUntilFailure(
          async () => new PostgresRateLimiter(await database(), databaseTimeoutMs),
        ),
        pipelineCounts: sharedUntilFailure(
          async () => new PostgresPipelineCountStore(await database(), databaseTimeoutMs),
        ),
        liveCharts: sharedUntilFailure(
          async () => new PostgresLiveChartStore(await database(), databaseTimeoutMs),
        ),
      };
      scopes.set(scope, opened);
    }
    return opened;
  };
  return {
    settings,
    clock,
    metrics,
    lake: () => {
      if (settings.lambdaFunctionName !== undefined && settings.lake.kind === 'folder') {
        throw folderLakeInLambda(settings.lambdaFunctionName, settings.lake.path);
      }
      lake ??= createLake(settings);
      return lake;
    },
    transport: embeddedInLambda(settings)
      ? refuseEmbeddedTransport(settings.lambdaFunctionName)
      : sharedUntilFailure(async () => {
          transport = await createTransport(settings, publishTimeoutMs);
          return transport;
        }),
    chartStore: () => adapters().chartStore(),
    chartAnswers,
    apiKeys: () => adapters().apiKeys(),
    rateLimiter: () => adapters().rateLimiter(),
    pipelineCounts: () => adapters().pipelineCounts(),
    liveCharts: () => adapters().liveCharts(),
    close: async () => {
      await transport?.close();
      await pools.close();
    },
  };
}

/** The adapters on one function's pool. */
type DatabaseAdapters = Pick<
  Dependencies,
  'chartStore' | 'apiKeys' | 'rateLimiter' | 'pipelineCounts' | 'liveCharts'
>;

/** A chart is a few KB: a thousand answers fit any function's memory and outnumber the charts asked for. */
const CHART_ANSWERS_KEPT = 1_000;

/** The store, announcing each write as it settles (a failed one may have committed before its answer was lost). */
function announcingWrites(store: ChartStore, onWrite: () => void): ChartStore {
  const writes = new Set<PropertyKey>(['replaceWindow', 'upsertSongs']);
  return new Proxy(store, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target);
      if (typeof value !== 'function') return value;
      const method = value.bind(target) as (...args: unknown[]) => Promise<unknown>;
      return writes.has(name) ? (...args: unknown[]) => method(...args).finally(onWrite) : method;
    },
  });
}

/** In AWS Lambda, EMF lines that CloudWatch Logs turns into metrics; elsewhere a registry `GET /metrics` reads. */
function defaultMetrics(settings: Settings): Metrics {
  return settings.lambdaFunctionName !== undefined
    ? emfMetrics({ namespace: settings.metricsNamespace, serviceName: METRICS_SERVICE })
    : prometheusMetrics();
}

/**
 * A folder lake in AWS Lambda would be the execution environment's temporary disk: the lake-writer would
 * acknowledge batches nobody can read, and a chart job would replace real charts with empty ones. Refused
 * on every use, so the function fails instead of losing or erasing data.
 */
function folderLakeInLambda(functionName: string, path: string): SettingsError {
  return new SettingsError(
    `${functionName} runs in AWS Lambda with the lake in the folder "${path}" (LAKE_URI unset or not s3://): ` +
      'that is the temporary disk of one execution environment; set LAKE_URI=s3://bucket/prefix',
  );
}

/** No Kafka, no Kinesis, yet in AWS Lambda: the embedded transport would be chosen, on a temporary disk. */
const embeddedInLambda = (settings: Settings): settings is Settings & { lambdaFunctionName: string } =>
  settings.lambdaFunctionName !== undefined && !settings.kafkaBrokers && !settings.kinesisStream;

/** How long a client is told to wait: a deployment without a transport needs an operator, not a retry. */
const UNCONFIGURED_RETRY_AFTER_SECONDS = 300;

/**
 * The transport of a Lambda function deployed without one. The embedded transport would append accepted
 * plays to this execution environment's temporary disk, where no consumer ever reads them and from where
 * they vanish with the environment: so it is refused. Ingest turns the refusal into a 503 with Retry-After
 * (nothing was taken); any other function that asks fails with it. Logged once, at the first request after
 * the cold start, with what to do.
 */
function refuseEmbeddedTransport(functionName: string): () => Promise<Transport> {
  let logged = false;
  return async () => {
    if (!logged) {
      logged = true;
      logger.error(
        `${functionName} runs in AWS Lambda with no transport configured (neither KAFKA_BROKERS nor ` +
          'KINESIS_STREAM is set): the embedded transport would keep acknowledged plays on the temporary disk ' +
          'of this execution environment, where nothing reads them, so it is refused and requests are ' +
          'answered 503. Deploy with the CDK app, which gives ingest Kinesis by default (or Kafka with -c kafka=…).',
        { function: functionName },
      );
    }
    throw new TransportUnavailableError(
      'no transport is configured for this deployment, so none of the events were taken',
      UNCONFIGURED_RETRY_AFTER_SECONDS,
    );
  };
}

let current: Dependencies | undefined;

/** The process's dependencies: those installed by the local runtime, or built from the environment (Lambda). */
export function dependencies(): Dependencies {
  current ??= createDependencies(loadSettings(process.env));
  return current;
}

/** Installs the dependencies every handler in this process will use (local runtime, tests). */
export function installDependencies(installed: Dependencies | undefined): void {
  current = installed;
}
