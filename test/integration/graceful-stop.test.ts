import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddedCommittedOffsets } from '../../devkit/embedded-transport.ts';
import { invokeLocally, type LocalProcess, startLocalProcess } from '../../devkit/local-process.ts';
import { recentPlay } from '../../devkit/play-batches.ts';
import { type PlaysApi, postPlays } from '../../devkit/post-plays.ts';
import { type ReferencePlay, referenceCharts } from '../../devkit/reference-charts.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { runningServer } from '../../src/adapters/postgres/postmaster.ts';
import { isProcessAlive } from '../../src/adapters/process-liveness.ts';
import { hasPlaysFile, settledLakeRows } from '../support/exact-pipeline.ts';

/** One request of a sender: its events and what came back (a status, or the error that ended it). */
interface Sent {
  readonly events: readonly ReferencePlay[];
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status?: number;
  readonly retryAfter?: string | null;
  readonly error?: string;
}

const SENDERS = 6;
const HOUR = 3_600_000;

/**
 * A client that sends batches of plays back to back until it is refused: a 503 (it would wait Retry-After)
 * or a connection error (refused once the process is gone; anything else is a failure the test reports).
 */
async function sendUntilRefused(api: PlaysApi, log: Sent[]): Promise<void> {
  for (;;) {
    const events = Array.from({ length: 40 }, () => recentPlay());
    const startedAt = Date.now();
    try {
      const response = await postPlays(api, { events });
      await response.arrayBuffer();
      log.push({
        events,
        startedAt,
        endedAt: Date.now(),
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
      });
      if (response.status !== 202) return;
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      log.push({
        events,
        startedAt,
        endedAt: Date.now(),
        error: cause?.code ?? cause?.message ?? String(error),
      });
      return;
    }
  }
}

/**
 * SIGTERM to `npm start` (docs/operations.md, "Stopping"): it stops taking requests (503 with Retry-After),
 * answers those it took, lets the lake writer commit its batch in flight, and exits within
 * SHUTDOWN_TIMEOUT_MS; a restart then delivers the rest, so the lake holds every accepted play once, and its chart counts each once.
 */
describe('SIGTERM to npm start', () => {
  let running: LocalProcess | undefined;
  let dataDir: Awaited<ReturnType<typeof makeTempDir>> | undefined;

  afterEach(async () => {
    await running?.stop('SIGKILL');
    await dataDir?.remove();
  });

  it('finishes what it took, refuses the rest, and the next start loses nothing', async () => {
    dataDir = await makeTempDir('sigterm');
    const lakeDir = join(dataDir.path, 'lake');
    const env = { TOP_SONGS_DATA_DIR: dataDir.path, SHUTDOWN_TIMEOUT_MS: '20000' };
    const first = await startLocalProcess(env, ['--no-simulator']);
    running = first;
    const log: Sent[] = [];
    const senders = Array.from({ length: SENDERS }, () => sendUntilRefused(first, log));

    // Mid-stream: the lake writer has written files and keeps receiving more.
    await waitFor('the lake writer at work', async () =>
      (await hasPlaysFile(lakeDir)) && log.filter((sent) => sent.status === 202).length >= 30
        ? true
        : undefined,
    );
    const signalledAt = Date.now();
    await first.stop('SIGTERM');
    await Promise.all(senders);

    expect(first.output()).not.toMatch(/Not stopped within/);
    expect(first.child.exitCode).toBe(0); // 1 when SHUTDOWN_TIMEOUT_MS ran out.
    // Nothing taken was cut: every answer is a 202 or a 503 saying when to retry, every failure a refused connection.
    for (const sent of log) {
      if (sent.error !== undefined) expect(sent.error).toBe('ECONNREFUSED');
      else if (sent.status !== 202)
        expect({ status: sent.status, retryAfter: sent.retryAfter }).toEqual({
          status: 503,
          retryAfter: '5',
        });
    }
    // Requests in flight when the signal came were answered, and the load was still on: every sender got refused.
    const spanning = log.filter((sent) => sent.startedAt < signalledAt && sent.endedAt > signalledAt);
    expect(spanning.some((sent) => sent.status === 202)).toBe(true);
    expect(log.filter((sent) => sent.status !== 202)).toHaveLength(SENDERS);

    const acceptedPlays = log.filter((sent) => sent.status === 202).flatMap((sent) => sent.events);
    const accepted = acceptedPlays.map((play) => play.event_id);
    running = await startLocalProcess(env, ['--no-simulator']);
    const rows = await settledLakeRows(
      lakeDir,
      accepted.length,
      () => embeddedCommittedOffsets(dataDir!.path),
      90_000,
    );
    // Exactly the accepted plays, each once: nothing of a refused request was taken.
    expect(rows).toHaveLength(accepted.length);
    expect(new Set(rows.map((row) => row.event_id))).toEqual(new Set(accepted));
    // And charted once: each hour the accepted plays fell in, charted from the lake, equals the reference.
    for (const hour of new Set(
      acceptedPlays.map((play) => Math.floor(Date.parse(play.played_at) / HOUR) * HOUR),
    )) {
      const start = new Date(hour).toISOString();
      await invokeLocally(env, 'chart-hourly', { period: 'hour', window_start: start });
      const response = await fetch(`${running.url}/v1/charts?region=global&period=hour&start=${start}`);
      const chart = (await response.json()) as {
        eligible_plays: number;
        entries: { rank: number; song_id: string; plays: number }[];
      };
      const want = referenceCharts(acceptedPlays, new Date(hour), new Date(hour + HOUR)).get('global');
      expect({ start, eligible: chart.eligible_plays }).toEqual({ start, eligible: want?.eligible_plays });
      expect(chart.entries.map(({ rank, song_id, plays }) => ({ rank, song_id, plays }))).toEqual(
        want?.entries,
      );
    }
    await running.stop('SIGTERM');
    expect(running.child.exitCode).toBe(0);
  }, 180_000);

  it('reaches the runtime when sent to npm start itself (as a container stop does)', async () => {
    dataDir = await makeTempDir('sigterm-npm');
    const started = await startLocalProcess({ TOP_SONGS_DATA_DIR: dataDir.path }, ['--no-simulator'], {
      viaNpm: true,
    });
    running = started;
    // The runtime's pid: the embedded transport's lock names its owner.
    const runtimePid = Number(await readFile(join(dataDir.path, 'transport', 'owner.pid'), 'utf8'));
    try {
      await started.stop('SIGTERM');
      expect(started.output()).toMatch(/SIGTERM: stopping/);
      expect(started.child.exitCode).toBe(0);
      expect(isProcessAlive(runtimePid)).toBe(false);
    } finally {
      // Had the signal not reached it, the runtime would be left running on its own: stopped here.
      if (isProcessAlive(runtimePid)) {
        process.kill(runtimePid, 'SIGTERM');
        await waitFor('the runtime left behind to stop', async () =>
          isProcessAlive(runtimePid) ? undefined : true,
        );
      }
    }
  });

  it('stops as cleanly on Ctrl-C to `npm start` in a terminal: one stop, and not its embedded PostgreSQL', async () => {
    dataDir = await makeTempDir('sigint-group');
    const started = await startLocalProcess({ TOP_SONGS_DATA_DIR: dataDir.path }, ['--no-simulator'], {
      viaNpm: true,
      ownProcessGroup: true,
    });
    running = started;
    expect((await postPlays(started, { events: [recentPlay()] })).status).toBe(202);
    await started.stop('SIGINT');
    expect(started.output()).not.toMatch(/Not stopped within/);
    // The runtime gets the terminal's SIGINT and npm's forward of it: one Ctrl-C, one graceful stop.
    expect(started.output()).toMatch(/SIGINT: stopping/);
    expect(started.output()).not.toMatch(/again: exiting at once/);
    // The server was stopped by the runtime once it was done with it, not by the terminal's signal under the
    // connections of its pools (which then warned that they were lost).
    expect(started.output()).not.toMatch(/database connection lost|terminating connection/);
    expect(started.child.exitCode).toBe(0);
    await waitFor('the embedded PostgreSQL to stop', async () =>
      (await runningServer(join(dataDir!.path, 'postgres', 'pgdata'))) ? undefined : true,
    );
  });

  it('exits anyway, saying so, when stopping takes longer than SHUTDOWN_TIMEOUT_MS', async () => {
    dataDir = await makeTempDir('sigterm-timeout');
    const env = { TOP_SONGS_DATA_DIR: dataDir.path, SHUTDOWN_TIMEOUT_MS: '1' };
    const started = await startLocalProcess(env, ['--no-simulator']);
    running = started;
    expect((await postPlays(started, { events: [recentPlay()] })).status).toBe(202);
    await started.stop('SIGTERM');
    expect(started.child.exitCode).toBe(1);
    expect(started.output()).toMatch(/Not stopped within 0\.001 s \(SHUTDOWN_TIMEOUT_MS\): exiting anyway/);
    // Its embedded PostgreSQL is not left behind: told to stop as the runtime exits, it finishes shutting down
    // just after (its files still being written then, which is why the folder is removed only once it is gone).
    const pgdata = join(dataDir.path, 'postgres', 'pgdata');
    await waitFor('the embedded PostgreSQL to stop', async () =>
      (await runningServer(pgdata)) ? undefined : true,
    );
  });
});
