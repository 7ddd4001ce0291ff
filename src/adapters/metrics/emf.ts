import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { type MetricName, type Metrics, metricCatalog } from '../../ports/metrics.ts';

export interface EmfMetricsOptions {
  /** The CloudWatch namespace (METRICS_NAMESPACE; the CDK app sets `TopSongs/<stage>`). */
  readonly namespace: string;
  /** The `service` dimension every metric carries. */
  readonly serviceName: string;
}

interface Recorded {
  readonly name: MetricName;
  readonly value: number;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * CloudWatch metrics through Powertools Metrics, as Embedded Metric Format lines on standard output. An EMF
 * document carries one value per dimension name, so what an invocation recorded is grouped by its labels and
 * each group is published as one document: `route=GET /v1/charts, status=200` and `… status=404` are two.
 * Dimensions: `service` and the metric's own labels, exactly (an alarm names all of them).
 */
export function emfMetrics(options: EmfMetricsOptions): Metrics {
  let recorded: Recorded[] = [];
  const record = (name: MetricName, value: number, labels: Readonly<Record<string, string>> = {}) => {
    if (!Number.isFinite(value) || value < 0) return;
    recorded.push({ name, value, labels });
  };
  return {
    count: (name, value, ...labels) => record(name, value, labels[0]),
    observe: (name, seconds, ...labels) => record(name, seconds, labels[0]),
    flush: () => {
      const groups = Map.groupBy(recorded, ({ labels }) => JSON.stringify(Object.entries(labels).sort()));
      recorded = [];
      for (const group of groups.values()) {
        const document = new PowertoolsMetrics({
          namespace: options.namespace,
          serviceName: options.serviceName,
        });
        // One dimension set (service + the labels); addDimensions would publish a second set besides it.
        for (const [label, value] of Object.entries(group[0]!.labels)) document.addDimension(label, value);
        for (const { name, value } of group) {
          const unit = metricCatalog[name].kind === 'timing' ? MetricUnit.Seconds : MetricUnit.Count;
          document.addMetric(name, unit, value);
        }
        document.publishStoredMetrics();
      }
    },
  };
}
