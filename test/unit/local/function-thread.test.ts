import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { threadId, type Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import {
  FunctionThread,
  FunctionThreadError,
  type FunctionThreadOptions,
} from '../../../local/function-thread.ts';
import { FunctionTimeoutError } from '../../../local/functions.ts';
import { JobFailure } from '../../../local/isolated-invocation.ts';
import { eventSources } from '../../../src/adapters/event-sources/stream-events.ts';
import { loadSettings, type Settings } from '../../../src/config/settings.ts';
import type { LogRecord } from '../../../src/ports/transport.ts';
import { fixtureFunction, recordingMetrics } from '../../support/isolated-invocations.ts';

/** A fixture handler, declared as the lake-writer. */
const fixture = (path: string, timeoutSeconds?: number) =>
  fixtureFunction('lake-writer', path, timeoutSeconds);

describe('the stream functions in a thread of their own (real worker threads)', () => {
  let dataDir: Awaited<ReturnType<typeof makeTempDir>>;
  let settings: Settings;
  const threads: FunctionThread[] = [];
  const thread = (options: Partial<FunctionThreadOptions> = {}) => {
    const started = new FunctionThread({ settings, metrics: recordingMetrics().metrics, ...options });
    threads.push(started);
    return started;
  };

  beforeAll(async () => {
    dataDir = await makeTempDir('function-thread');
    // Regions that the thread's environment does not hold: it must take the runtime's settings.
    settings = loadSettings({ TOP_SONGS_DATA_DIR: dataDir.path, REGIONS: 'xx,yy' });
  });
  afterEach(async () => {
    await Promise.all(threads.splice(0).map((started) => started.close()));
  });
  afterAll(() => dataDir.remove());

  it('answers with the handler’s value, with the runtime’s settings and its metrics counted here, invocation after invocation', async () => {
    const { metrics, calls } = recordingMetrics();
    const functions = thread({ metrics });
    const answers = fixture('job-process/answers.ts');
    const event = { window_start: '2026-12-05T10:00:00.000Z', nested: { n: 1 } };
    const first = (await functions.invoke(answers, event)) as { event: unknown; regions: string[] };
    const second = (await functions.invoke(answers, { n: 2 })) as { event: unknown };
    expect(first.event).toEqual(event);
    expect(first.regions).toEqual(['xx', 'yy']);
    expect(second.event).toEqual({ n: 2 });
    const counted = ['count', 'chart_windows_computed', 2, { period: 'hour', status: 'final' }];
    expect(calls).toEqual([counted, counted]);
  });

  it('builds the stream event of the records it is handed, as the poller would, for the handler', async () => {
    const functions = thread({ streamEvent: { kind: 'kafka', bootstrapServers: undefined } });
    const record: LogRecord = {
      topic: 'song-plays',
      partition: 2,
      offset: 41,
      timestamp: Date.UTC(2026, 11, 7, 13),
      key: undefined,
      value: new TextEncoder().encode('{"event_id":"e-1"}'),
      headers: { 'x-ingest-request-id': 'r-1' },
    };
    const { event } = (await functions.invoke(fixture('job-process/answers.ts'), [record])) as {
      event: unknown;
    };
    expect(event).toEqual(eventSources.kafka.event([record], { functionName: 'lake-writer' }));
    expect(event).toMatchObject({ eventSource: 'aws:kafka' });
  });

  it('runs the handler off this thread: this event loop goes on while the handler holds its own', async () => {
    const functions = thread();
    const busy = fixture('function-thread/busy.ts');
    await functions.invoke(busy, { ms: 0 }); // The thread started and the handler loaded.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const answer = (await functions.invoke(busy, { ms: 500 })) as { threadId: number };
    clearInterval(ticker);
    expect(answer.threadId).not.toBe(threadId);
    // In this thread, a 500 ms synchronous call would have let no tick through until it ended.
    expect(ticks).toBeGreaterThanOrEqual(10);
  });

  it('rejects with the error the handler threw, its name, message and stack kept, and the thread serves on', async () => {
    const functions = thread();
    const throws = fixture('job-process/throws.ts');
    const failure = await functions.invoke(throws, {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(JobFailure);
    expect(failure).toMatchObject({ name: 'WindowRefused', message: 'no such window' });
    expect((failure as Error).stack).toMatch(/throws\.ts/);
    await expect(functions.invoke(throws, {})).rejects.toThrow('no such window');
    await expect(functions.invoke(fixture('job-process/answers.ts'), { n: 3 })).resolves.toMatchObject({
      event: { n: 3 },
    });
  });

  it('rejects with a FunctionThreadError when the thread ends mid-invocation, and the next invocation starts another', async () => {
    const functions = thread();
    const exits = fixture('job-process/exits.ts');
    await expect(functions.invoke(exits, {})).rejects.toThrow(FunctionThreadError);
    await expect(functions.invoke(exits, {})).rejects.toThrow(
      "the functions' thread exited (code 3) before it answered",
    );
    await expect(functions.invoke(fixture('job-process/answers.ts'), { n: 4 })).resolves.toMatchObject({
      event: { n: 4 },
    });
  });

  it('rejects with a FunctionTimeoutError when the handler does not answer within its timeout', async () => {
    const functions = thread();
    const never = fixture('job-process/never-answers.ts', 1);
    await expect(functions.invoke(never, {})).rejects.toThrow(FunctionTimeoutError);
    await expect(functions.invoke(never, {})).rejects.toThrow('lake-writer timed out after 1 s');
  });

  it('terminates the thread, and rejects with a FunctionTimeoutError, when its event loop is blocked past the timeout', async () => {
    const functions = thread();
    const busy = fixture('function-thread/busy.ts');
    const before = (await functions.invoke(busy, { ms: 1 })) as { threadId: number };
    await expect(functions.invoke(fixture('job-process/blocks.ts', 1), {})).rejects.toThrow(
      'lake-writer timed out after 1 s (its thread was terminated)',
    );
    // A new thread serves the next invocation.
    const after = (await functions.invoke(busy, { ms: 1 })) as { threadId: number };
    expect(after.threadId).not.toBe(before.threadId);
  });

  it('starts the next thread only once the terminated one has exited (Node can crash starting one during a teardown)', async () => {
    const lifecycle: string[] = [];
    const recordThread = (message: unknown) => {
      const { worker } = message as { worker: Worker };
      const id = worker.threadId; // -1 once it has exited
      lifecycle.push(`start ${id}`);
      worker.once('exit', () => lifecycle.push(`exit ${id}`));
    };
    subscribe('worker_threads', recordThread);
    try {
      const functions = thread();
      const busy = fixture('function-thread/busy.ts');
      const first = (await functions.invoke(busy, { ms: 1 })) as { threadId: number };
      await expect(functions.invoke(fixture('job-process/blocks.ts', 1), {})).rejects.toThrow(
        FunctionTimeoutError,
      );
      const second = (await functions.invoke(busy, { ms: 1 })) as { threadId: number };
      expect(lifecycle).toEqual([
        `start ${first.threadId}`,
        `exit ${first.threadId}`,
        `start ${second.threadId}`,
      ]);
    } finally {
      unsubscribe('worker_threads', recordThread);
    }
  });
});
