/**
 * Ingest while the broker fails under it: stopped, or hung (its process paused), with requests in flight from
 * several concurrent senders. What must hold: every request gets 202 or 503; every 503 has Retry-After and comes
 * within the publish timeout; every event answered 202 is in the lake exactly once; no request is in the lake in
 * part; and a request answered 503 is not in the lake at all, unless its 503 said that its commit was cut off
 * on its way (then all of it may be: a retry is harmless, charts count each event_id once).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { broker, kafkaBrokers, kafkaSkipped, testNamespace } from '../../../devkit/kafka.ts';
import { readLakeRows } from '../../../devkit/lake.ts';
import { recentPlay } from '../../../devkit/play-batches.ts';
import { type PlaysApi, postPlays } from '../../../devkit/post-plays.ts';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { waitFor } from '../../../devkit/wait-for.ts';
import { type LocalRuntime, startLocalRuntime } from '../../../local/runtime.ts';

/** Short, so that the hung broker's 503s come quickly; the default is derived from ingest's function timeout. */
const PUBLISH_TIMEOUT_MS = 2_000;
/** What a 503 may take beyond the publish timeout: HTTP, validation, a busy test machine. */
const ANSWER_SLACK_MS = 1_500;

interface Outcome {
  readonly eventIds: readonly string[];
  readonly status: number;
  readonly retryAfter: string | null;
  readonly message: string;
  readonly sentAt: number;
  readonly elapsedMs: number;
}

/** Senders that post batches of 20 plays (users on every partition) one after the other, until stopped. */
function startTraffic(api: PlaysApi, senders: number) {
  const outcomes: Outcome[] = [];
  let running = true;
  const send = async () => {
    while (running) {
      const events = Array.from({ length: 20 }, () => recentPlay());
      const sentAt = Date.now();
      const eventIds = events.map((event) => event.event_id);
      const outcome = { eventIds, sentAt, status: 0, retryAfter: null as string | null, message: '' };
      try {
        const response = await postPlays(api, { events });
        outcome.status = response.status;
        outcome.retryAfter = response.headers.get('retry-after');
        outcome.message = ((await response.json()) as { message?: string }).message ?? '';
      } catch (error) {
        // No answer at all: status 0, which the checks refuse.
        outcome.message = String(error);
      }
      outcomes.push({ ...outcome, elapsedMs: Date.now() - sentAt });
      // A refused sender waits a little, as a client honouring Retry-After would (but not 5 s: the test is short).
      if (outcome.status !== 202) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const loops = Array.from({ length: senders }, send);
  const count = (status: number, since = 0) =>
    outcomes.filter((outcome) => outcome.status === status && outcome.sentAt >= since).length;
  return {
    outcomes,
    /** Waits until `n` requests sent since `since` got `status`. */
    until: (status: number, n: number, since = 0, timeoutMs = 60_000) =>
      waitFor(
        `${n} × ${status} (so far ${count(202)} × 202, ${count(503)} × 503 of ${outcomes.length})`,
        async () => (count(status, since) >= n ? true : undefined),
        timeoutMs,
        50,
      ),
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** The guarantees of the module comment, checked against the lake once it holds every acknowledged event. */
async function expectNothingLostNothingHalfTaken(outcomes: readonly Outcome[], lakeDir: string) {
  expect(outcomes.filter((outcome) => outcome.status !== 202 && outcome.status !== 503)).toEqual([]);
  const refused = outcomes.filter((outcome) => outcome.status === 503);
  expect(refused.length).toBeGreaterThan(0);
  for (const outcome of refused) expect(Number(outcome.retryAfter)).toBeGreaterThan(0);

  const acknowledged = outcomes.filter((outcome) => outcome.status === 202).flatMap((o) => o.eventIds);
  const rows = await waitFor(
    'every acknowledged play in the lake',
    async () => {
      const found = await readLakeRows(lakeDir);
      const ids = new Set(found.map((row) => row.event_id));
      return acknowledged.every((id) => ids.has(id)) ? found : undefined;
    },
    90_000,
    250,
  );
  const copies = new Map<string, number>();
  for (const row of rows) copies.set(row.event_id, (copies.get(row.event_id) ?? 0) + 1);
  expect([...copies.values()].filter((count) => count !== 1)).toEqual([]);

  const sent = new Set(outcomes.flatMap((outcome) => outcome.eventIds));
  expect(rows.filter((row) => !sent.has(row.event_id))).toEqual([]);
  for (const outcome of refused) {
    const landed = outcome.eventIds.filter((id) => copies.has(id)).length;
    const mayHaveBeenTaken = /may have been taken/.test(outcome.message);
    expect({ landed, message: outcome.message }).toEqual({
      landed: mayHaveBeenTaken && landed > 0 ? outcome.eventIds.length : 0,
      message: outcome.message,
    });
  }
}

describe.skipIf(kafkaSkipped())(
  'ingest while the broker fails (KAFKA_BROKERS unset: start it with npm run services:up -- kafka)',
  () => {
    const dirs: { remove: () => Promise<void> }[] = [];
    const runtimes: LocalRuntime[] = [];

    afterAll(async () => {
      for (const runtime of runtimes) await runtime.stop();
      for (const dir of dirs) await dir.remove();
    });

    async function start(name: string) {
      const dir = await makeTempDir(`kafka-${name}`);
      dirs.push(dir);
      const runtime = await startLocalRuntime({
        env: {
          TOP_SONGS_DATA_DIR: dir.path,
          PORT: '0',
          KAFKA_BROKERS: kafkaBrokers,
          KAFKA_PUBLISH_TIMEOUT_MS: String(PUBLISH_TIMEOUT_MS),
          TOP_SONGS_NAMESPACE: testNamespace(name),
        },
        schedules: false,
      });
      runtimes.push(runtime);
      return { api: runtime, lakeDir: join(dir.path, 'lake') };
    }

    it('answers 503 while the broker is down and loses nothing it answered 202 for, nor takes part of a request', async () => {
      const { api, lakeDir } = await start('outage');
      const traffic = startTraffic(api, 4);
      try {
        await traffic.until(202, 20);
        // Stopped while the senders go on: requests are in flight as it shuts down.
        const down = broker('down');
        try {
          await traffic.until(503, 4, Date.now());
          await down;
          await traffic.until(503, 4, Date.now());
        } finally {
          await down.catch(() => {});
          await broker('up');
        }
        await traffic.until(202, 20, Date.now());
      } finally {
        await traffic.stop();
      }
      await expectNothingLostNothingHalfTaken(traffic.outcomes, lakeDir);
    }, 240_000);

    it('answers 503 with Retry-After within the publish timeout while the broker hangs, and recovers', async () => {
      const { api, lakeDir } = await start('hang');
      const traffic = startTraffic(api, 4);
      let pausedAt = 0;
      try {
        await traffic.until(202, 20);
        await broker('pause');
        pausedAt = Date.now();
        try {
          // Requests in flight when it hung, and requests sent to it hung.
          await traffic.until(503, 8, pausedAt, 3 * PUBLISH_TIMEOUT_MS + ANSWER_SLACK_MS);
        } finally {
          await broker('resume');
        }
        await traffic.until(202, 20, Date.now());
      } finally {
        await traffic.stop();
      }
      // Whatever was sent, nothing waited much longer than the publish timeout for its answer (the slowest
      // named, with its answer, if it did).
      const slowest = traffic.outcomes.reduce((a, b) => (b.elapsedMs > a.elapsedMs ? b : a));
      expect(
        slowest.elapsedMs,
        `the slowest answer: ${slowest.status} after ${slowest.elapsedMs} ms, sent ${slowest.sentAt - pausedAt} ms after the pause: ${slowest.message}`,
      ).toBeLessThan(PUBLISH_TIMEOUT_MS + ANSWER_SLACK_MS);
      await expectNothingLostNothingHalfTaken(traffic.outcomes, lakeDir);
    }, 240_000);
  },
);
