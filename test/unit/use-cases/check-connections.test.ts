import { stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { type ConnectionProbe, fail, ok, skip } from '../../../src/ports/connection-probe.ts';
import { checkConnections } from '../../../src/use-cases/check-connections.ts';

const probe = (service: string, check: ConnectionProbe['check'], extra: Partial<ConnectionProbe> = {}) => ({
  service,
  target: `${service}-host`,
  silentHint: `is ${service} running?`,
  check,
  ...extra,
});

/** A probe that never answers until it is aborted, and then takes a while to clean up. */
function silentProbe(service: string, cleanedUp: string[]): ConnectionProbe {
  return probe(
    service,
    (signal) =>
      new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          setTimeout(() => {
            cleanedUp.push(service);
            reject(new Error('aborted'));
          }, 20);
        });
      }),
  );
}

describe('checkConnections', () => {
  it('reports each probe in order, with its latency, and ok when nothing failed', async () => {
    let clock = 0;
    const report = await checkConnections(
      [
        probe('a', async () => {
          clock += 7;
          return ok('fine');
        }),
        probe('b', async () => skip('not configured')),
      ],
      { timeoutMs: 1000, now: () => clock },
    );
    expect(report.results).toEqual([
      { service: 'a', target: 'a-host', status: 'ok', latencyMs: 7, detail: 'fine' },
      { service: 'b', target: 'b-host', status: 'skip', latencyMs: undefined, detail: 'not configured' },
    ]);
    expect(report.ok).toBe(true);
  });

  it('runs the probes at once: each waits for the other to have started', async () => {
    const started = new Set<string>();
    const waitForOther = (me: string, other: string) => async () => {
      started.add(me);
      while (!started.has(other)) await new Promise((resolve) => setImmediate(resolve));
      return ok(`${other} started too`);
    };
    const report = await checkConnections(
      [probe('a', waitForOther('a', 'b')), probe('b', waitForOther('b', 'a'))],
      { timeoutMs: 5000 },
    );
    expect(report.results.map((result) => result.status)).toEqual(['ok', 'ok']);
  });

  it('fails a probe that does not answer in time, with its own hint, and aborts it', async () => {
    const cleanedUp: string[] = [];
    const report = await checkConnections(
      [silentProbe('kafka', cleanedUp), probe('lake', async () => ok('fine'))],
      { timeoutMs: 50 },
    );
    expect(report.results[0]).toMatchObject({
      service: 'kafka',
      status: 'fail',
      detail: 'no answer within 50 ms (--timeout gives it longer)',
      hint: 'is kafka running?',
    });
    expect(report.results[1]).toMatchObject({ status: 'ok' });
    expect(report.ok).toBe(false);
    // The report came at the timeout; the probe's clean-up after the abort is what `settled` waits for.
    expect(cleanedUp).toEqual([]);
    await report.settled;
    expect(cleanedUp).toEqual(['kafka']);
  });

  it("gives a probe with a bound of its own that long, not the check's timeout", async () => {
    const report = await checkConnections(
      [
        probe(
          'postgres',
          async () => {
            await new Promise((resolve) => setTimeout(resolve, 100));
            return ok('started');
          },
          { timeoutMs: 10_000 },
        ),
      ],
      { timeoutMs: 20 },
    );
    expect(report.results[0]).toMatchObject({ status: 'ok', detail: 'started' });
  });

  it('keeps an answer that arrived in time while the event loop was blocked past the timeout', async () => {
    // The answer (a file system call on libuv's pool) is ready before the timer is run, but read after it.
    const answered = probe('s3', () => stat(import.meta.filename).then(() => ok('reachable')));
    // From the loop's check phase, the next phase to run is the timers': the expired timer runs before the poll.
    await new Promise((resolve) => setImmediate(resolve));
    const checking = checkConnections([answered], { timeoutMs: 20 });
    await Promise.resolve(); // the probe has started: its file system call is under way
    const until = Date.now() + 200;
    while (Date.now() < until) {
      // busy, as a GC pause or a long synchronous stretch on a loaded machine
    }
    expect((await checking).results[0]).toMatchObject({ status: 'ok', detail: 'reachable' });
  });

  it('turns a probe that throws into a failure naming the error', async () => {
    const report = await checkConnections(
      [
        probe('lake', async () => {
          throw new Error('boom\nat somewhere');
        }),
        probe('aws', async () => fail('refused', 'check the credentials')),
      ],
      { timeoutMs: 1000 },
    );
    expect(report.results[0]).toMatchObject({ status: 'fail', detail: 'boom' });
    expect(report.results[0]?.hint).toMatch(/lake/);
    expect(report.results[1]).toMatchObject({
      status: 'fail',
      detail: 'refused',
      hint: 'check the credentials',
    });
    expect(report.ok).toBe(false);
  });
});
