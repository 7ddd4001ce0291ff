import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { waitFor } from '../../../devkit/wait-for.ts';
import { BACKGROUND_NICE } from '../../../local/background-priority.ts';
import { FunctionTimeoutError } from '../../../local/functions.ts';
import {
  JobFailure,
  JobProcessError,
  runInJobProcess,
  scheduledJobRunner,
} from '../../../local/job-process.ts';
import { isProcessAlive } from '../../../src/adapters/process-liveness.ts';
import { loadSettings, type Settings } from '../../../src/config/settings.ts';
import { fixtureFunction, recordingMetrics } from '../../support/isolated-invocations.ts';

/** A handler of test/fixtures/job-process, declared as chart-hourly. */
const fixture = (file: string, timeoutSeconds?: number) =>
  fixtureFunction('chart-hourly', `job-process/${file}`, timeoutSeconds);

describe('a scheduled job in a process of its own (real child processes)', () => {
  let dataDir: Awaited<ReturnType<typeof makeTempDir>>;
  let settings: Settings;

  beforeAll(async () => {
    dataDir = await makeTempDir('job-process');
    // Regions that the job process's environment does not hold: it must take the parent's settings.
    settings = loadSettings({ TOP_SONGS_DATA_DIR: dataDir.path, REGIONS: 'xx,yy' });
  });
  afterAll(() => dataDir.remove());

  it.runIf(process.platform === 'linux')(
    'runs the job at the background priority, every thread of it (the runtime’s event loop first)',
    async () => {
      const run = await runInJobProcess(
        fixture('priority.ts'),
        {},
        { settings, metrics: recordingMetrics().metrics },
      );
      const nices = run.value as number[];
      expect(nices.length).toBeGreaterThan(1);
      expect(nices).toEqual(nices.map(() => Math.min(19, getPriority() + BACKGROUND_NICE)));
    },
  );

  it('answers with the handler’s value, with the parent’s settings and its metrics counted in the parent', async () => {
    const { metrics, calls } = recordingMetrics();
    const event = { window_start: '2026-12-05T10:00:00.000Z', nested: { n: 1 } };
    const run = await runInJobProcess(fixture('answers.ts'), event, { settings, metrics });
    const value = run.value as { event: unknown; regions: string[]; pid: number; rssMb: number };
    expect(value.event).toEqual(event);
    expect(value.regions).toEqual(['xx', 'yy']);
    expect(value.pid).not.toBe(process.pid);
    // It ended with the run.
    expect(isProcessAlive(value.pid)).toBe(false);
    expect(calls).toEqual([['count', 'chart_windows_computed', 2, { period: 'hour', status: 'final' }]]);
    expect(run.startMs).toBeGreaterThan(0);
    expect(run.runMs).toBeGreaterThan(0);
    // Its peak: at least what it held when the handler answered (32 MB of its own among it).
    expect(value.rssMb).toBeGreaterThan(32);
    expect(run.peakRssMb).toBeGreaterThanOrEqual(value.rssMb);
  });

  it('rejects with the error the handler threw, its name and message kept', async () => {
    const failure = await runInJobProcess(
      fixture('throws.ts'),
      {},
      { settings, metrics: recordingMetrics().metrics },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(JobFailure);
    expect(failure).toMatchObject({ name: 'WindowRefused', message: 'no such window' });
    expect((failure as Error).stack).toMatch(/throws\.ts/);
  });

  it('rejects with a JobProcessError, and nothing else happens here, when the process exits mid-run', async () => {
    const failure = runInJobProcess(
      fixture('exits.ts'),
      {},
      { settings, metrics: recordingMetrics().metrics },
    );
    await expect(failure).rejects.toThrow(JobProcessError);
    await expect(failure).rejects.toThrow('chart-hourly: its process exited (code 3) before it answered');
  });

  it('rejects with a FunctionTimeoutError when the handler does not answer within its timeout', async () => {
    const failure = runInJobProcess(
      fixture('never-answers.ts', 1),
      {},
      { settings, metrics: recordingMetrics().metrics },
    );
    await expect(failure).rejects.toThrow(FunctionTimeoutError);
    await expect(failure).rejects.toThrow('chart-hourly timed out after 1 s');
  });

  it('kills the process, and rejects with a FunctionTimeoutError, when its event loop is blocked past the timeout', async () => {
    const failure = runInJobProcess(
      fixture('blocks.ts', 1),
      {},
      { settings, metrics: recordingMetrics().metrics },
    );
    await expect(failure).rejects.toThrow(FunctionTimeoutError);
    await expect(failure).rejects.toThrow('chart-hourly timed out after 1 s (its process was killed)');
  });

  it('ends a job process still running when the runtime exits, before it can write anything more', async () => {
    const [running, exited] = [join(dataDir.path, 'running'), join(dataDir.path, 'exited')];
    const runtime = spawn(process.execPath, [
      fileURLToPath(new URL('../../fixtures/job-process/runtime-exits.ts', import.meta.url)),
      dataDir.path,
      running,
      exited,
    ]);
    const [code] = (await once(runtime, 'exit')) as [number | null];
    expect(code).toBe(1);
    const job = Number(await readFile(running, 'utf8'));
    await waitFor('the job process to end', async () => (isProcessAlive(job) ? undefined : true));
    // Left to itself, a job process whose parent is gone exits on its own, and its exit handlers run.
    expect(existsSync(exited)).toBe(false);
  });

  it('runs the scheduled jobs one process at a time, each started after the one before it ended', async () => {
    const { metrics, calls } = recordingMetrics();
    const run = scheduledJobRunner({ settings, metrics });
    type Ran = { pid: number; startedAt: number; endedAt: number };
    const [first, failure, second] = (await Promise.all([
      run(fixture('answers.ts'), { n: 1 }),
      run(fixture('throws.ts'), {}).catch((error: unknown) => error),
      run(fixture('answers.ts'), { n: 2 }),
    ])) as [Ran, Error, Ran];
    expect(failure).toMatchObject({ name: 'WindowRefused' });
    expect(second.pid).not.toBe(first.pid);
    expect(second.startedAt).toBeGreaterThanOrEqual(first.endedAt);
    expect(calls).toHaveLength(2);
  });
});
