/**
 * ingest: the ingestPlays use case (parse, validate, publish) into a real embedded transport that
 * fsyncs every append, against publishing the very same messages straight to the transport.
 */
import { join } from 'node:path';
import { EmbeddedTransport } from '../src/adapters/transport/embedded/transport.ts';
import { defaultRegions } from '../src/domain/regions.ts';
import type { RateLimiter } from '../src/ports/rate-limiter.ts';
import type { OutgoingMessage } from '../src/ports/transport.ts';
import { ingestPlays } from '../src/use-cases/ingest-plays.ts';
import {
  type BenchOptions,
  formatRate,
  formatRatio,
  inParallel,
  interleave,
  planFor,
  printTable,
  type TableRow,
  timed,
  withTempDir,
} from './harness.ts';
import { BENCH_NOW, createIndependentPlayGenerator, HOUR_MS, PLAYS_TOPIC } from './plays.ts';

/** A fresh transport in its own temp folder (so no owner lock is shared), closed afterwards. */
export async function withEmbeddedTransport<T>(
  work: (transport: EmbeddedTransport) => Promise<T>,
): Promise<T> {
  return withTempDir('transport', async (dir) => {
    const transport = await EmbeddedTransport.open(join(dir, 'transport'));
    try {
      return await work(transport);
    } finally {
      await transport.close();
    }
  });
}

export interface IngestWorkload {
  /** Request bodies, as a client sends them. */
  readonly bodies: readonly string[];
  /** What ingest publishes for each body. */
  readonly messages: readonly (readonly OutgoingMessage[])[];
  readonly events: number;
}

/** `requests` bodies of `batch` plays each, stamped in the hour before `now`. */
export function ingestWorkload(seed: number, requests: number, batch: number, now: number): IngestWorkload {
  const generator = createIndependentPlayGenerator({ seed });
  const batches = Array.from({ length: requests }, () =>
    Array.from({ length: batch }, () => generator.playBetween(now - HOUR_MS, now - 1000)),
  );
  return {
    bodies: batches.map((plays) => JSON.stringify(plays.length === 1 ? plays[0] : { events: plays })),
    messages: batches.map((plays) =>
      plays.map((play) => ({ key: play.user_id, value: JSON.stringify(play) })),
    ),
    events: requests * batch,
  };
}

/**
 * The use case alone, without its rate limiter's database round trip (the http bench measures the whole
 * path): every request counts as the first of its window.
 */
export const uncountedLimiter: RateLimiter = {
  countRequest: async (_keyId, windowStart) => ({ requests: 1, windowStart }),
};

/** Likewise without the pipeline counts' database round trip (the http bench has it). */
export const uncountedHops = {
  counts: { addIngest: async () => {} },
  countsLost: (error: unknown) => {
    throw error;
  },
};

/** The authorizer context of a key that the benches' requests carry. */
const benchCaller = { keyId: '1', keyName: 'bench', rateLimit: 1_000_000, rateWindowSeconds: 1 };

export function ingestPorts(transport: EmbeddedTransport, now = () => new Date(BENCH_NOW)) {
  return {
    transport,
    topic: PLAYS_TOPIC,
    regions: defaultRegions,
    clock: now,
    rateLimiter: uncountedLimiter,
    ...uncountedHops,
  };
}

/** POST /v1/plays as the use case sees it from an authorized caller. */
export const benchRequest = (body: string) => ({
  method: 'POST',
  path: '/v1/plays',
  query: {},
  headers: { 'content-type': 'application/json' },
  body,
  authorizer: benchCaller,
});

export async function ingestOnce(body: string, ports: ReturnType<typeof ingestPorts>): Promise<void> {
  const result = await ingestPlays(benchRequest(body), ports);
  if (result.statusCode !== 202 || (result.body as { rejected: unknown[] }).rejected.length > 0) {
    throw new Error(`ingest answered ${result.statusCode}: ${JSON.stringify(result.body).slice(0, 300)}`);
  }
}

function assertHolds(transport: EmbeddedTransport, events: number): void {
  const held = transport.endOffsets(PLAYS_TOPIC).reduce((sum, count) => sum + count, 0);
  if (held !== events) throw new Error(`the transport holds ${held} records, expected ${events}`);
}

export async function run(options: BenchOptions): Promise<void> {
  const plan = planFor(options);
  const cases = [
    { batch: 1, requests: options.quick ? 200 : 1_000, callers: 1 },
    { batch: 100, requests: options.quick ? 60 : 500, callers: 1 },
    // Many small requests at once: shows whether appends to one partition share an fsync (they don't).
    { batch: 1, requests: options.quick ? 400 : 2_000, callers: 16 },
  ];
  const rows: TableRow[] = [];
  for (const { batch, requests, callers } of cases) {
    const workload = ingestWorkload(1_000 + batch, requests, batch, BENCH_NOW);
    const stats = await interleave(
      {
        publish: () =>
          withEmbeddedTransport(async (transport) => {
            const seconds = await timed(async () => {
              await inParallel(callers, workload.messages, (messages) =>
                transport.publish(PLAYS_TOPIC, messages),
              );
            });
            assertHolds(transport, workload.events);
            return seconds;
          }),
        ingest: () =>
          withEmbeddedTransport(async (transport) => {
            const ports = ingestPorts(transport);
            const seconds = await timed(async () => {
              await inParallel(callers, workload.bodies, (body) => ingestOnce(body, ports));
            });
            assertHolds(transport, workload.events);
            return seconds;
          }),
      },
      plan,
    );
    rows.push({
      name: `batch ${batch} × ${requests} requests, ${callers} caller${callers === 1 ? '' : 's'}`,
      figure: formatRate(workload.events, stats.ingest, 'events/s'),
      baseline: formatRate(workload.events, stats.publish, 'events/s'),
      ratio: formatRatio(stats.ingest, stats.publish),
    });
  }
  printTable(
    'ingest: ingestPlays into an EmbeddedTransport (fsync per append)',
    [
      'figure:   ingestPlays (JSON.parse, zod validation, publish), events/s',
      'baseline: transport.publish of the same messages, no parsing or validation, same number of callers',
      '          (each caller sends its next request once the previous one is answered)',
      `ratio:    figure ÷ baseline throughput; median of ${plan.runs} runs after ${plan.warmups} warm-up, ± half the range`,
    ],
    rows,
  );
}
