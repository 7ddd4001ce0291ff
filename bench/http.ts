/**
 * http: POST /v1/plays through the real local runtime (HTTP server, API Gateway event, middy
 * handler, ingestPlays, embedded transport) against ingestPlays called in-process with the same
 * bodies and the same concurrency. The runtime also runs its lake-writer poller, as `npm start` does.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type PlaysApi, postPlays } from '../devkit/post-plays.ts';
import { startLocalRuntime } from '../local/runtime.ts';
import { EmbeddedTransport } from '../src/adapters/transport/embedded/transport.ts';
import { createApiKey } from '../src/use-cases/manage-api-keys.ts';
import {
  type BenchOptions,
  formatRate,
  formatRatio,
  inParallel,
  interleave,
  median,
  planFor,
  printTable,
  timed,
  withTempDir,
} from './harness.ts';
import { ingestOnce, ingestPorts, ingestWorkload, withEmbeddedTransport } from './ingest.ts';
import { PLAYS_TOPIC } from './plays.ts';

const CLIENTS = 4;
const BATCH = 100;

/**
 * Waits until the runtime's lake-writer has committed everything the topic holds, so that its
 * catching up does not compete with the next measured run (the in-process baseline above all).
 */
async function waitForLakeWriter(dataDir: string, transport: EmbeddedTransport): Promise<void> {
  const file = join(dataDir, 'transport', PLAYS_TOPIC, 'offsets.lake-writer.json');
  const deadline = Date.now() + 120_000;
  for (;;) {
    const committed = existsSync(file)
      ? (JSON.parse(await readFile(file, 'utf8')) as Record<string, number>)
      : {};
    if (transport.endOffsets(PLAYS_TOPIC).every((end, partition) => (committed[partition] ?? 0) >= end))
      return;
    if (Date.now() > deadline) throw new Error('the lake-writer did not catch up within 2 minutes');
    await sleep(20);
  }
}

async function post(api: PlaysApi, body: string): Promise<void> {
  const response = await postPlays(api, body);
  const text = await response.text();
  if (response.status !== 202 || (JSON.parse(text) as { rejected: unknown[] }).rejected.length > 0) {
    throw new Error(`POST /v1/plays answered ${response.status}: ${text.slice(0, 300)}`);
  }
}

export async function run(options: BenchOptions): Promise<void> {
  const plan = planFor(options);
  const requests = options.quick ? 80 : 300;
  await withTempDir('http', async (dataDir) => {
    const starting = performance.now();
    const runtime = await startLocalRuntime({
      env: { TOP_SONGS_DATA_DIR: dataDir, PORT: '0' },
      schedules: false,
    });
    const startupSeconds = (performance.now() - starting) / 1000;
    try {
      // A key of its own, whose limit the clients never reach: the figure includes counting each request
      // against it (one database round trip), not 429s.
      const { key } = await createApiKey(await runtime.dependencies.apiKeys(), {
        name: 'bench-http',
        rateLimit: { requests: 1_000_000, windowSeconds: 1 },
      });
      const api = { url: runtime.url, apiKey: key };
      const transport = await runtime.dependencies.transport();
      if (!(transport instanceof EmbeddedTransport)) throw new Error('expected the embedded transport');
      // Stamped relative to the real clock: the runtime validates against it.
      const workload = ingestWorkload(4_000, requests, BATCH, Date.now());
      const catchUps: number[] = [];
      const stats = await interleave(
        {
          http: async () => {
            const seconds = await timed(() =>
              inParallel(CLIENTS, workload.bodies, (body) => post(api, body)),
            );
            catchUps.push(await timed(() => waitForLakeWriter(dataDir, transport)));
            return seconds;
          },
          inProcess: () =>
            withEmbeddedTransport(async (transport) => {
              const ports = ingestPorts(transport, () => new Date());
              return timed(() => inParallel(CLIENTS, workload.bodies, (body) => ingestOnce(body, ports)));
            }),
        },
        plan,
      );
      const held = transport.endOffsets(PLAYS_TOPIC).reduce((sum, value) => sum + value, 0);
      const expected = (plan.warmups + plan.runs) * workload.events;
      if (held !== expected)
        throw new Error(`the runtime's transport holds ${held} plays, expected ${expected}`);
      printTable(
        `http: POST /v1/plays through the local runtime, ${requests} requests × ${BATCH} events, ${CLIENTS} concurrent clients`,
        [
          'figure:   HTTP server → authorizer (cached) → API Gateway v2 event → middy ingest handler → rate limit',
          '          (one PostgreSQL upsert) → ingestPlays → embedded transport, events/s',
          '          (the runtime’s lake-writer poller consumes the topic at the same time, as under npm start;',
          `          it caught up a median ${median(catchUps.slice(plan.warmups)).toFixed(1)} s after the last request, untimed, before the next run)`,
          `baseline: ingestPlays in-process, same bodies, ${CLIENTS} concurrent callers, fresh embedded transport`,
          `ratio:    figure ÷ baseline throughput; median of ${plan.runs} runs after ${plan.warmups} warm-up, ± half the range`,
          `setup:    starting the runtime (embedded PostgreSQL, migrations, server) took ${startupSeconds.toFixed(1)} s (not timed)`,
        ],
        [
          {
            name: `batch ${BATCH}, ${CLIENTS} clients`,
            figure: formatRate(workload.events, stats.http, 'events/s'),
            baseline: formatRate(workload.events, stats.inProcess, 'events/s'),
            ratio: formatRatio(stats.http, stats.inProcess),
          },
        ],
      );
    } finally {
      await runtime.stop();
    }
  });
}
