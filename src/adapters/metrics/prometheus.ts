import { Counter, Histogram, Registry } from 'prom-client';
import { type MetricName, type Metrics, metricCatalog } from '../../ports/metrics.ts';

/** Every metric's name in the Prometheus registry: `top_songs_` + the catalog's name (+ `_total` for counters). */
export function prometheusName(name: MetricName): string {
  return `top_songs_${name}${metricCatalog[name].kind === 'counter' ? '_total' : ''}`;
}

/**
 * Seconds: from a fast API answer (5 ms) to a long chart run (a minute and more), so that one set of buckets
 * serves every timing.
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface PrometheusMetrics extends Metrics {
  /** The registry's metrics in the Prometheus text format, for `GET /metrics`. */
  exposition(): Promise<string>;
  readonly contentType: string;
}

/**
 * The local runtime's metrics: a prom-client registry of its own (not the library's global one, so that two
 * runtimes in one test process never share counts), every catalog metric registered at once so that
 * `GET /metrics` lists them all from the start.
 */
export function prometheusMetrics(): PrometheusMetrics {
  const registry = new Registry();
  const counters = new Map<MetricName, Counter>();
  const histograms = new Map<MetricName, Histogram>();
  for (const [name, declaration] of Object.entries(metricCatalog) as [
    MetricName,
    (typeof metricCatalog)[MetricName],
  ][]) {
    const common = {
      name: prometheusName(name),
      help: declaration.help,
      labelNames: [...declaration.labels],
      registers: [registry],
    };
    if (declaration.kind === 'counter') counters.set(name, new Counter(common));
    else histograms.set(name, new Histogram({ ...common, buckets: BUCKETS }));
  }
  return {
    count: (name, value, ...labels) => {
      if (!Number.isFinite(value) || value < 0) return;
      counters.get(name)?.inc({ ...labels[0] }, value);
    },
    observe: (name, seconds, ...labels) => {
      if (!Number.isFinite(seconds) || seconds < 0) return;
      histograms.get(name)?.observe({ ...labels[0] }, seconds);
    },
    flush: () => {},
    exposition: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
