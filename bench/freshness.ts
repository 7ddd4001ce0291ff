/**
 * freshness (only with `--only freshness`): how long a play takes from its 202 to the live chart, at a sustained
 * rate. `npm start` as a child process (embedded defaults, schedules on: the lake-writer and the chart jobs run as
 * they always do), fed `--rate` plays a second (default 2,000) for `--duration` (default 60 s) in one set of
 * regions, while probe plays go to a region nobody else plays in, one every PROBE_MS, from one listener (so one
 * partition: the live chart counts them in order). Probe k is on the chart once GET /v1/charts of that region
 * and hour (polled every POLL_MS, as a dashboard would, through the API's answer cache) says eligible_plays ≥ k:
 * its latency is then minus its 202. Prints p50, p95 and max, with the machine's load.
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocalProcess } from '../devkit/local-process.ts';
import { playsHeaders } from '../devkit/post-plays.ts';
import { POOL_REPORT_PREFIX } from '../src/adapters/postgres/pool-report.ts';
import { windowContaining } from '../src/domain/charts.ts';
import { defaultRegions } from '../src/domain/regions.ts';
import { type BenchOptions, withTempDir } from './harness.ts';
import { createIndependentPlayGenerator } from './plays.ts';

const BATCH = 100;
const PROBE_MS = 500;
const POLL_MS = 100;
/** Requests under way at once; past it a beat is skipped and counted (the runtime fell behind). */
const MAX_IN_FLIGHT = 32;
/** Nobody but the probes plays here. */
const PROBE_REGION = 'jp';
const LOAD_REGIONS = defaultRegions.filter((region) => region !== PROBE_REGION);

interface Probe {
  readonly hour: string;
  /** Its place among the probes of its hour, from 1: the chart has it once eligible_plays reaches it. */
  readonly index: number;
  readonly acceptedAt: number;
  seenAt?: number;
}

async function post(url: string, headers: Record<string, string>, events: readonly unknown[]) {
  const response = await fetch(`${url}/v1/plays`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ events }),
  });
  const body = await response.text();
  if (response.status !== 202 || (JSON.parse(body) as { accepted: number }).accepted !== events.length) {
    throw new Error(`POST /v1/plays answered ${response.status}: ${body.slice(0, 300)}`);
  }
}

const quantile = (values: readonly number[], q: number) =>
  values.length === 0 ? Number.NaN : [...values].sort((a, b) => a - b)[Math.ceil(q * values.length) - 1]!;

export async function run(options: BenchOptions): Promise<void> {
  const rate = options.rate ?? 2_000;
  const durationMs = options.durationMs ?? (options.quick ? 20_000 : 60_000);
  await withTempDir('freshness', async (dataDir) => {
    const app = await startLocalProcess({ TOP_SONGS_DATA_DIR: dataDir, DATABASE_URL: '' }, [
      '--no-simulator',
    ]);
    try {
      const headers = playsHeaders(options.apiKey ?? app.apiKey);
      console.log(
        `\nfreshness: npm start (pid ${app.child.pid}, embedded defaults, schedules on) in ${dataDir}\n` +
          `  ${rate} plays/s for ${durationMs / 1000} s in batches of ${BATCH} (regions ${LOAD_REGIONS.join(',')}); ` +
          `a probe play every ${PROBE_MS} ms in ${PROBE_REGION}, its chart polled every ${POLL_MS} ms`,
      );
      const plays = createIndependentPlayGenerator({ seed: 7 });
      const probes: Probe[] = [];
      const perHour = new Map<string, number>();
      let failure: unknown;
      let sent = 0;
      let skipped = 0;
      let inFlight = 0;
      let done = false;
      const started = performance.now();
      const loadStart = os.loadavg();

      const load = (async () => {
        const intervalMs = (BATCH / rate) * 1000;
        for (let beat = 0; !failure; beat++) {
          const due = started + beat * intervalMs;
          if (due - started >= durationMs) break;
          await sleep(Math.max(0, due - performance.now()));
          if (inFlight >= MAX_IN_FLIGHT) {
            skipped++;
            continue;
          }
          const now = Date.now();
          const events = Array.from({ length: BATCH }, () => {
            const play = plays.playBetween(now - 10 * 60_000, now - 1_000);
            return play.region === PROBE_REGION ? { ...play, region: LOAD_REGIONS[0] } : play;
          });
          inFlight++;
          post(app.url, headers, events)
            .then(() => {
              sent += BATCH;
            })
            .catch((error: unknown) => {
              failure ??= error;
            })
            .finally(() => inFlight--);
        }
        while (inFlight > 0) await sleep(10);
      })();

      const probing = (async () => {
        for (let n = 0; performance.now() - started < durationMs && !failure; n++) {
          const playedAt = new Date(Date.now() - 1_000);
          const hour = windowContaining('hour', playedAt).start.toISOString();
          await post(app.url, headers, [
            {
              event_id: crypto.randomUUID(),
              user_id: 'freshness-probe',
              song_id: 'song-probe',
              region: PROBE_REGION,
              played_at: playedAt.toISOString(),
              ms_played: 60_000,
            },
          ]);
          const index = (perHour.get(hour) ?? 0) + 1;
          perHour.set(hour, index);
          probes.push({ hour, index, acceptedAt: performance.now() });
          await sleep(Math.max(0, started + (n + 1) * PROBE_MS - performance.now()));
        }
      })();

      const polling = (async () => {
        while (!done && !failure) {
          for (const hour of new Set(probes.filter((p) => p.seenAt === undefined).map((p) => p.hour))) {
            const response = await fetch(
              `${app.url}/v1/charts?region=${PROBE_REGION}&period=hour&start=${hour}`,
            );
            if (response.status !== 200) continue;
            const chart = (await response.json()) as { source: string; eligible_plays: number };
            const at = performance.now();
            for (const probe of probes) {
              if (probe.hour === hour && probe.seenAt === undefined && probe.index <= chart.eligible_plays) {
                probe.seenAt = at;
              }
            }
          }
          await sleep(POLL_MS);
        }
      })().catch((error: unknown) => {
        failure ??= error;
      });

      await Promise.all([
        load,
        probing.catch((error: unknown) => {
          failure ??= error;
        }),
      ]);
      const loadSeconds = (performance.now() - started) / 1000;
      // The last probes get their chance to show up.
      const deadline = performance.now() + 60_000;
      while (!failure && probes.some((p) => p.seenAt === undefined) && performance.now() < deadline) {
        await sleep(100);
      }
      done = true;
      await polling;
      if (failure) {
        console.error(`  npm start said, last:\n${app.output().slice(-3000)}`);
        throw failure;
      }

      const latencies = probes.flatMap((p) =>
        p.seenAt === undefined ? [] : [(p.seenAt - p.acceptedAt) / 1000],
      );
      const unseen = probes.length - latencies.length;
      const f = (seconds: number) => `${seconds.toFixed(2)} s`;
      console.log(
        `  sent ${sent} plays in ${loadSeconds.toFixed(1)} s: ${(sent / loadSeconds).toFixed(0)} plays/s accepted` +
          (skipped > 0 ? ` (${skipped} paced requests skipped: the runtime fell behind)` : ''),
      );
      console.log(
        `  play → live chart (${latencies.length} probes${unseen > 0 ? `, ${unseen} NOT seen within 60 s` : ''}): ` +
          `p50 ${f(quantile(latencies, 0.5))}, p95 ${f(quantile(latencies, 0.95))}, max ${f(Math.max(...latencies))}`,
      );
      const loadEnd = os.loadavg();
      console.log(
        `  load average (1, 5, 15 min): before ${loadStart.map((v) => v.toFixed(2)).join(', ')}; ` +
          `after ${loadEnd.map((v) => v.toFixed(2)).join(', ')}`,
      );
    } finally {
      // With TOP_SONGS_POOL_REPORT_SECONDS set, the runtime's pool reports (pool-report.ts) say who held it.
      const reports = app
        .output()
        .split('\n')
        .filter((line) => line.startsWith(POOL_REPORT_PREFIX));
      if (reports.length > 0) console.log(`  the runtime's pool reports:\n${reports.join('\n')}`);
      await app.stop('SIGTERM');
    }
  });
}
