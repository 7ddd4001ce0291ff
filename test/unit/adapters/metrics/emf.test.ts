/**
 * The EMF adapter as CloudWatch Logs reads it: one JSON document per label set on standard output, each with
 * the `_aws` block (namespace, one dimension set: service + the metric's labels, units), the dimension values
 * and the metric values as top-level keys.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emfMetrics } from '../../../../src/adapters/metrics/emf.ts';

let lines: string[] = [];
beforeEach(() => {
  lines = [];
  // Powertools writes through a Console of its own on process.stdout (outside POWERTOOLS_DEV).
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  vi.stubEnv('POWERTOOLS_DEV', 'false');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

const documents = () => lines.map((line) => JSON.parse(line) as EmfDocument);

describe('emfMetrics', () => {
  it('publishes nothing until flushed, then one document per label set with exact dimensions', () => {
    const metrics = emfMetrics({ namespace: 'TopSongs/test', serviceName: 'top-songs' });
    metrics.count('plays_accepted', 3);
    metrics.count('plays_accepted', 2);
    metrics.count('plays_rejected', 1, { reason: 'invalid_region' });
    metrics.observe('api_request_duration_seconds', 0.25, { route: 'POST /v1/plays', status: '202' });
    metrics.observe('api_request_duration_seconds', 0.5, { route: 'POST /v1/plays', status: '503' });
    metrics.count('api_server_errors', 1, { route: 'POST /v1/plays' });
    expect(lines).toEqual([]);

    metrics.flush();
    const byDimensions = new Map(
      documents().map((document) => [document._aws.CloudWatchMetrics[0]!.Dimensions[0]!.join(','), document]),
    );
    expect(documents()).toHaveLength(5);
    for (const document of documents()) {
      expect(document._aws.CloudWatchMetrics).toHaveLength(1);
      expect(document._aws.CloudWatchMetrics[0]!.Namespace).toBe('TopSongs/test');
      expect(document._aws.CloudWatchMetrics[0]!.Dimensions).toHaveLength(1);
      expect(document.service).toBe('top-songs');
    }

    const accepted = byDimensions.get('service')!;
    expect(accepted._aws.CloudWatchMetrics[0]!.Metrics).toEqual([{ Name: 'plays_accepted', Unit: 'Count' }]);
    // Two values of one metric in one invocation: an EMF array, which CloudWatch sums.
    expect(accepted.plays_accepted).toEqual([3, 2]);

    const rejected = byDimensions.get('service,reason')!;
    expect(rejected).toMatchObject({ reason: 'invalid_region', plays_rejected: 1 });

    const latencies = documents().filter((document) => 'api_request_duration_seconds' in document);
    expect(
      latencies.map((document) => [document.route, document.status, document.api_request_duration_seconds]),
    ).toEqual([
      ['POST /v1/plays', '202', 0.25],
      ['POST /v1/plays', '503', 0.5],
    ]);
    expect(latencies[0]!._aws.CloudWatchMetrics[0]!.Dimensions[0]!.sort()).toEqual([
      'route',
      'service',
      'status',
    ]);
    expect(latencies[0]!._aws.CloudWatchMetrics[0]!.Metrics).toEqual([
      { Name: 'api_request_duration_seconds', Unit: 'Seconds' },
    ]);
    expect(byDimensions.get('service,route')).toMatchObject({
      route: 'POST /v1/plays',
      api_server_errors: 1,
    });
  });

  it('starts afresh after a flush, and a flush with nothing recorded writes nothing', () => {
    const metrics = emfMetrics({ namespace: 'TopSongs', serviceName: 'top-songs' });
    metrics.count('dead_letters', 1, { function: 'lake-writer' });
    metrics.flush();
    expect(documents()).toHaveLength(1);
    metrics.flush();
    expect(documents()).toHaveLength(1);
    metrics.count('dead_letters', 4, { function: 'lake-writer' });
    metrics.flush();
    expect(documents()[1]).toMatchObject({ function: 'lake-writer', dead_letters: 4 });
  });

  it('drops a value CloudWatch would refuse (negative, NaN) instead of failing the invocation', () => {
    const metrics = emfMetrics({ namespace: 'TopSongs', serviceName: 'top-songs' });
    metrics.count('plays_accepted', -1);
    metrics.observe('chart_run_duration_seconds', Number.NaN, { period: 'hour', outcome: 'ok' });
    metrics.flush();
    expect(lines).toEqual([]);
  });
});
