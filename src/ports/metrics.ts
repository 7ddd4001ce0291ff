/** The `service` dimension of every CloudWatch metric (the EMF adapter's, the alarms' and dashboard's). */
export const METRICS_SERVICE = 'top-songs';

/**
 * What the system measures, declared once: both adapters (CloudWatch EMF in AWS Lambda, Prometheus locally)
 * and the dashboards (lib/constructs/observability.ts, observability/grafana) read this list. Labels are a
 * closed, small set of values each (docs/observability.md): never an id, a user, a song or a free text.
 */
export const metricCatalog = {
  plays_accepted: {
    kind: 'counter',
    labels: [],
    help: 'Play events ingest handed to the transport (202).',
  },
  plays_rejected: {
    kind: 'counter',
    labels: ['reason'],
    help: 'Play events ingest did not hand on: invalid_<field> (the first field at fault), invalid_event, or transport_unavailable (503).',
  },
  lake_rows_written: {
    kind: 'counter',
    labels: ['kind'],
    help: 'Rows the lake-writer wrote to the lake: kind plays (Parquet) or rejects (JSON lines).',
  },
  lake_files_written: {
    kind: 'counter',
    labels: ['kind'],
    help: 'Files the lake-writer wrote to the lake: kind plays or rejects.',
  },
  batch_duration_seconds: {
    kind: 'timing',
    labels: ['function', 'outcome'],
    help: 'How long a topic-triggered function took for one batch; outcome ok or failed (some partition failed).',
  },
  dead_letters: {
    kind: 'counter',
    labels: ['function'],
    help: 'Records sent to the dead-letter topic after every retry (the local event source poller).',
  },
  chart_run_duration_seconds: {
    kind: 'timing',
    labels: ['period', 'outcome'],
    help: 'How long one run of a chart job took; period hour or day, outcome ok or failed.',
  },
  chart_windows_computed: {
    kind: 'counter',
    labels: ['period', 'status'],
    help: 'Chart windows computed and stored; status provisional, closing or final.',
  },
  api_request_duration_seconds: {
    kind: 'timing',
    labels: ['route', 'status'],
    help: 'HTTP API latency, from the event to the response, by route (`GET /v1/charts`) and status code.',
  },
  api_server_errors: {
    kind: 'counter',
    labels: ['route'],
    help: 'HTTP API answers with a 5xx status, by route: what the ingest 5xx alarm watches.',
  },
} as const satisfies Record<string, MetricDeclaration>;

export interface MetricDeclaration {
  /** counter: a count that only grows; timing: one duration per observation, in seconds. */
  readonly kind: 'counter' | 'timing';
  readonly labels: readonly string[];
  readonly help: string;
}

export type MetricName = keyof typeof metricCatalog;
type KindOf<N extends MetricName> = (typeof metricCatalog)[N]['kind'];
export type CounterName = { [N in MetricName]: KindOf<N> extends 'counter' ? N : never }[MetricName];
export type TimingName = { [N in MetricName]: KindOf<N> extends 'timing' ? N : never }[MetricName];

/** A value for every label the metric declares, and no other. */
export type LabelsOf<N extends MetricName> = {
  readonly [L in (typeof metricCatalog)[N]['labels'][number]]: string;
};

/** Labels as an optional last argument for metrics that have none. */
type LabelArgument<N extends MetricName> = (typeof metricCatalog)[N]['labels'] extends readonly []
  ? [labels?: LabelsOf<N>]
  : [labels: LabelsOf<N>];

/**
 * Where a function reports what it did. Recording never throws and never waits: a metric that cannot be
 * recorded must not fail the work it describes.
 */
export interface Metrics {
  /** Adds `value` (≥ 0) to a counter. */
  count<N extends CounterName>(name: N, value: number, ...labels: LabelArgument<N>): void;
  /** Records one duration, in seconds. */
  observe<N extends TimingName>(name: N, seconds: number, ...labels: LabelArgument<N>): void;
  /**
   * Hands over what this invocation recorded: EMF writes it to standard output, where CloudWatch Logs turns
   * it into metrics; a scraped registry keeps it (nothing to do). Called once per invocation (functions/shared).
   */
  flush(): void;
}

/** Records nothing: for tests and tools that have no use for metrics. */
export const noMetrics: Metrics = { count: () => {}, observe: () => {}, flush: () => {} };
