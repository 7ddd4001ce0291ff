import type { PrometheusMetrics } from '../src/adapters/metrics/prometheus.ts';
import type { Settings } from '../src/config/settings.ts';
import { checkConnections } from '../src/use-cases/check-connections.ts';
import { reportDocument } from '../src/use-cases/connection-report.ts';
import { connectionProbes } from '../src/wiring/connection-probes.ts';
import type { OperationalEndpoints } from './http/operations.ts';

/**
 * GET /metrics reads the registry every function of this process records into; GET /health runs the checks of
 * `npm run doctor` against the settings this runtime uses (its embedded PostgreSQL's URL included) and answers
 * with the same document as `npm run doctor -- --json`.
 */
export function operationalEndpoints(settings: Settings, metrics: PrometheusMetrics): OperationalEndpoints {
  const timeoutMs = settings.doctorTimeoutMs;
  return {
    metrics: async () => ({ contentType: metrics.contentType, body: await metrics.exposition() }),
    health: async () => {
      const report = await checkConnections(await connectionProbes(settings, timeoutMs), { timeoutMs });
      return { ok: report.ok, body: reportDocument(report.results, timeoutMs) };
    },
  };
}
