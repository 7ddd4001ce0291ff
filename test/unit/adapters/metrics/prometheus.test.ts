/** The local registry as Prometheus scrapes it: the text format, every catalog metric present from the start. */
import { describe, expect, it } from 'vitest';
import { prometheusMetrics, prometheusName } from '../../../../src/adapters/metrics/prometheus.ts';
import { type MetricName, metricCatalog } from '../../../../src/ports/metrics.ts';

/** `name{labels} value` lines of the exposition, comments left out. */
function samples(text: string): Map<string, number> {
  return new Map(
    text
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => {
        const at = line.lastIndexOf(' ');
        return [line.slice(0, at), Number(line.slice(at + 1))];
      }),
  );
}

describe('prometheusMetrics', () => {
  it('declares every catalog metric with its help and type before anything is recorded', async () => {
    const text = await prometheusMetrics().exposition();
    for (const name of Object.keys(metricCatalog) as MetricName[]) {
      const type = metricCatalog[name].kind === 'counter' ? 'counter' : 'histogram';
      expect(text).toContain(`# TYPE ${prometheusName(name)} ${type}`);
    }
    expect(prometheusName('plays_accepted')).toBe('top_songs_plays_accepted_total');
    expect(prometheusName('batch_duration_seconds')).toBe('top_songs_batch_duration_seconds');
  });

  it('counts by label set and observes durations into buckets', async () => {
    const metrics = prometheusMetrics();
    metrics.count('plays_accepted', 3);
    metrics.count('plays_accepted', 2);
    metrics.count('plays_rejected', 1, { reason: 'invalid_region' });
    metrics.count('plays_rejected', 2, { reason: 'transport_unavailable' });
    metrics.observe('api_request_duration_seconds', 0.02, { route: 'GET /v1/charts', status: '200' });
    metrics.observe('api_request_duration_seconds', 3, { route: 'GET /v1/charts', status: '200' });
    metrics.count('plays_accepted', -4); // refused: counters only grow
    metrics.flush();
    const values = samples(await metrics.exposition());
    expect(values.get('top_songs_plays_accepted_total')).toBe(5);
    expect(values.get('top_songs_plays_rejected_total{reason="invalid_region"}')).toBe(1);
    expect(values.get('top_songs_plays_rejected_total{reason="transport_unavailable"}')).toBe(2);
    const latency = 'top_songs_api_request_duration_seconds';
    const labels = 'route="GET /v1/charts",status="200"';
    expect(values.get(`${latency}_count{${labels}}`)).toBe(2);
    expect(values.get(`${latency}_sum{${labels}}`)).toBeCloseTo(3.02);
    expect(values.get(`${latency}_bucket{le="0.025",${labels}}`)).toBe(1);
    expect(values.get(`${latency}_bucket{le="5",${labels}}`)).toBe(2);
  });

  it('keeps the counts of each registry apart (two runtimes in one process)', async () => {
    const first = prometheusMetrics();
    const second = prometheusMetrics();
    first.count('dead_letters', 1, { function: 'lake-writer' });
    expect(
      samples(await second.exposition()).has('top_songs_dead_letters_total{function="lake-writer"}'),
    ).toBe(false);
  });
});
