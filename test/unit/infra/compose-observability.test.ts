/**
 * docker-compose's Prometheus and Grafana, which CI does not run: their files are loaded here as the services
 * would load them. Every panel's PromQL queries a metric the code registers (read from a real registry's
 * exposition), grouped only by labels that metric has; the scrape config reaches the local runtime's GET /metrics
 * on its default port; the compose mounts point at these very files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../../../lib/project-root.ts';
import { prometheusMetrics, prometheusName } from '../../../src/adapters/metrics/prometheus.ts';
import { loadSettings } from '../../../src/config/settings.ts';
import { type MetricName, metricCatalog } from '../../../src/ports/metrics.ts';

const read = (path: string) => readFileSync(join(projectRoot, path), 'utf8');
const compose = parse(read('docker-compose.yml')) as {
  services: Record<string, { image: string; volumes?: string[]; ports?: string[]; extra_hosts?: string[] }>;
};
const dashboard = JSON.parse(read('observability/grafana/dashboards/top-songs.json')) as {
  uid: string;
  panels: {
    title: string;
    datasource: { uid: string };
    targets: { expr: string; datasource: { uid: string } }[];
  }[];
};

/** Metric families and their label names, as the code's registry exposes them (`# TYPE` and sample lines). */
async function registeredFamilies(): Promise<Map<string, { type: string; labels: Set<string> }>> {
  const metrics = prometheusMetrics();
  // One sample of each metric, so that label names show in the exposition.
  for (const name of Object.keys(metricCatalog) as MetricName[]) {
    const labels = Object.fromEntries(metricCatalog[name].labels.map((label) => [label, 'x']));
    if (metricCatalog[name].kind === 'counter')
      (metrics.count as (...args: unknown[]) => void)(name, 1, labels);
    else (metrics.observe as (...args: unknown[]) => void)(name, 1, labels);
  }
  const text = await metrics.exposition();
  const families = new Map<string, { type: string; labels: Set<string> }>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm))
    families.set(name!, { type: type!, labels: new Set() });
  for (const [, sample, labels] of text.matchAll(/^([a-z_]+)\{([^}]*)\}/gm)) {
    const family = families.get(sample!) ?? families.get(sample!.replace(/_(bucket|sum|count)$/, ''));
    for (const [, label] of labels!.matchAll(/([a-z_]+)="/g)) family?.labels.add(label!);
  }
  return families;
}

describe('Prometheus and Grafana of docker-compose.yml', () => {
  it('queries, in every panel, only metrics the code registers, by labels they have', async () => {
    const families = await registeredFamilies();
    const queried = new Set<string>();
    const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    expect(exprs.length).toBeGreaterThan(0);
    for (const expr of exprs) {
      const series = [...expr.matchAll(/\btop_songs_[a-z_]+/g)].map(([name]) => name);
      expect(series.length, expr).toBeGreaterThan(0);
      for (const name of series) {
        const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ''));
        expect(family, `${name} in ${expr}`).toBeDefined();
        if (family!.type === 'histogram') expect(name, expr).toMatch(/_(bucket|sum|count)$/);
        else expect(families.has(name), expr).toBe(true);
        queried.add(name.replace(/_(bucket|sum|count)$/, ''));
        // Every label in `by (...)` and in a `{label="…"}` matcher is one the metric has (or le, a bucket's).
        const grouped = [...expr.matchAll(/by \(([^)]*)\)/g)].flatMap(([, list]) => list!.split(/,\s*/));
        const matched = [...expr.matchAll(/\{([a-z_]+)=/g)].map(([, label]) => label!);
        for (const label of [...grouped, ...matched]) {
          if (label === 'le') continue;
          expect(family!.labels.has(label), `${label} of ${name} in ${expr}`).toBe(true);
        }
      }
    }
    // And every metric the code declares is on the dashboard.
    expect([...queried].sort()).toEqual(
      (Object.keys(metricCatalog) as MetricName[]).map(prometheusName).sort(),
    );
  });

  it('reads every panel from the provisioned data source, and loads the dashboard from the mounted folder', () => {
    const datasources = parse(read('observability/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    const [source] = datasources.datasources;
    expect(source).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid, panel.title).toBe(source!.uid);
      for (const target of panel.targets) expect(target.datasource.uid).toBe(source!.uid);
    }
    const providers = parse(read('observability/grafana/provisioning/dashboards/top-songs.yml')) as {
      providers: { type: string; options: { path: string } }[];
    };
    const grafana = compose.services.grafana!;
    const mounts = new Map(grafana.volumes!.map((volume) => [volume.split(':')[1], volume.split(':')[0]]));
    expect(mounts.get('/etc/grafana/provisioning')).toBe('./observability/grafana/provisioning');
    const dashboardsDir = mounts.get(providers.providers[0]!.options.path);
    expect(dashboardsDir).toBe('./observability/grafana/dashboards');
    expect(existsSync(join(projectRoot, dashboardsDir!, 'top-songs.json'))).toBe(true);
  });

  it('scrapes the local runtime’s GET /metrics on its default port, with the config compose mounts', () => {
    const prometheus = compose.services.prometheus!;
    const mount = prometheus.volumes!.find((volume) => volume.includes('/etc/prometheus/prometheus.yml'))!;
    const config = parse(read(mount.split(':')[0]!)) as {
      scrape_configs: { job_name: string; metrics_path: string; static_configs: { targets: string[] }[] }[];
    };
    const [job] = config.scrape_configs;
    expect(job!.metrics_path).toBe('/metrics');
    const target = job!.static_configs[0]!.targets[0]!;
    const [host, port] = target.split(':');
    expect(Number(port)).toBe(loadSettings({}).port);
    expect(prometheus.extra_hosts).toContain(`${host}:host-gateway`);
    for (const service of [prometheus, compose.services.grafana!])
      expect(service.image).toMatch(/:v?\d+\.\d+\.\d+$/);
  });
});
