/**
 * first-chart (only with `--only first-chart`): what a newcomer waits, from `git clone` to the first chart with
 * entries (issue 13: ≤ 3 minutes on a warm package cache). In a temp folder: `git clone` of this checkout's
 * commit (through git's pack protocol, `--no-local`, as from a server, less the network), `npm ci` (npm's cache
 * is whatever npm is configured with: `npm_config_cache` picks another), `npm start` as the README says (the
 * dashboard's build, the embedded PostgreSQL's first start, the simulator), then `GET /v1/charts` until a chart
 * has entries. Prints each phase's duration.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startLocalProcess } from '../devkit/local-process.ts';
import { waitFor } from '../devkit/wait-for.ts';
import { type BenchOptions, withTempDir } from './harness.ts';

const exec = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
/** The goal of issue 13. */
const GOAL_SECONDS = 180;

async function phase(name: string, work: () => Promise<unknown>, phases: [string, number][]): Promise<void> {
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  phases.push([name, seconds]);
  console.log(
    `  ${name.padEnd(40)} ${seconds.toFixed(1).padStart(6)} s   (load ${os.loadavg()[0]!.toFixed(2)})`,
  );
}

/** The latest global hour chart, once it has entries. */
async function firstChart(url: string): Promise<{ eligible_plays: number; entries: unknown[] } | undefined> {
  const response = await fetch(`${url}/v1/charts?region=global&period=hour`);
  if (response.status !== 200) return undefined;
  const chart = (await response.json()) as { eligible_plays: number; entries: unknown[] };
  return chart.entries.length > 0 ? chart : undefined;
}

export async function run(_options: BenchOptions): Promise<void> {
  const { stdout: commit } = await exec('git', ['rev-parse', 'HEAD'], { cwd: root });
  const { stdout: branch } = await exec('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: root });
  const { stdout: cache } = await exec('npm', ['config', 'get', 'cache'], { cwd: root });
  await withTempDir('first-chart', async (dir) => {
    const clone = join(dir, 'top-songs');
    console.log(
      `\nfirst-chart: clone of ${branch.trim()} (${commit.trim().slice(0, 12)}) into ${clone}; npm cache ${cache.trim()}`,
    );
    const phases: [string, number][] = [];
    await phase(
      'git clone (--no-local)',
      () => exec('git', ['clone', '--quiet', '--no-local', '--branch', branch.trim(), root, clone]),
      phases,
    );
    await phase(
      'npm ci',
      () =>
        exec('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], {
          cwd: clone,
          maxBuffer: 64 * 1024 * 1024,
        }),
      phases,
    );
    let app: Awaited<ReturnType<typeof startLocalProcess>> | undefined;
    try {
      await phase(
        'npm start: until it serves',
        async () => {
          // As the README says: `npm start` in the clone, its data in the clone's .data, on a free port.
          app = await startLocalProcess({}, [], { projectDir: clone, viaNpm: true, ownProcessGroup: true });
        },
        phases,
      );
      let chart: Awaited<ReturnType<typeof firstChart>>;
      await phase(
        'until GET /v1/charts has entries',
        async () => {
          chart = await waitFor('a chart with entries', () => firstChart(app!.url), 600_000, 250);
        },
        phases,
      );
      const total = phases.reduce((sum, [, seconds]) => sum + seconds, 0);
      console.log(`  ${'total: clone → first chart'.padEnd(40)} ${total.toFixed(1).padStart(6)} s`);
      console.log(
        `  first chart: global hour, ${chart!.entries.length} entries, ${chart!.eligible_plays} eligible plays; ` +
          `goal ≤ ${GOAL_SECONDS} s: ${total <= GOAL_SECONDS ? 'met' : 'NOT met'}`,
      );
    } finally {
      await app?.stop('SIGTERM');
    }
  });
}
