/**
 * Scheduled chart runs and restatement marks (computeCharts with a lake folder and an in-memory chart store):
 * marked windows are recomputed within the run's budget, oldest first; a mark is cleared only after its window
 * was stored, never one written while the run computed; windows left unfinished by a missed run are finished.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFolderStore } from '../../../src/adapters/object-store/local-folder.ts';
import { type Chart, type ChartWindow, windowStartingAt } from '../../../src/domain/charts.ts';
import { restatementMarkKeys } from '../../../src/domain/restatements.ts';
import { type ChartStore, StoreUnavailableError } from '../../../src/ports/chart-store.ts';
import { computeCharts } from '../../../src/use-cases/compute-charts.ts';
import { fakeChartStore } from '../support/fake-chart-store.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const HOUR = 3_600_000;
const now = new Date('2026-11-20T12:30:00Z');

let dir: TempDir;
let lake: LocalFolderStore;
beforeEach(async () => {
  dir = await tempDir('restatement-runs');
  lake = new LocalFolderStore(join(dir.path, 'lake'));
});
afterEach(async () => {
  await dir.remove();
});

/** A chart store that keeps each window's status and how often it was stored. */
function memoryStore(options: { unfinished?: ChartWindow[]; failFor?: number } = {}) {
  const stored = new Map<number, { status: Chart['status']; generatedAt: Date; times: number }>();
  const store: ChartStore = {
    ...fakeChartStore([]).store,
    replaceWindow: async (window, charts) => {
      if (window.start.getTime() === options.failFor) throw new StoreUnavailableError('PostgreSQL is down');
      const previous = stored.get(window.start.getTime());
      stored.set(window.start.getTime(), {
        status: charts[0]!.status,
        generatedAt: charts[0]!.generated_at,
        times: (previous?.times ?? 0) + 1,
      });
      return { stored: true, restated: [] };
    },
    windowState: async (window) => stored.get(window.start.getTime()),
    unfinishedWindows: async (_period, _endedBy, limit) =>
      (options.unfinished ?? [])
        .filter((window) => stored.get(window.start.getTime())?.status !== 'final')
        .slice(0, limit),
  };
  return { store, stored };
}

/** Writes a late plays file of `hourStart` and its marks as the lake-writer does, at `writtenAt`. */
async function latePlays(hourStart: Date, offset: number, writtenAt = now): Promise<string[]> {
  const key = `plays/dt=${hourStart.toISOString().slice(0, 10)}/hour=${hourStart.toISOString().slice(11, 13)}/lake-writer-song-plays-0-${String(offset).padStart(12, '0')}.parquet`;
  await lake.put(key, new Uint8Array([1]), 'application/vnd.apache.parquet');
  const marks = restatementMarkKeys(hourStart, key, writtenAt);
  for (const mark of marks) await lake.put(mark, new Uint8Array([1]), 'application/json');
  return marks;
}

const hoursAgo = (n: number) => new Date(Date.parse('2026-11-20T12:00:00Z') - n * HOUR);

function run(
  store: ChartStore,
  tally: (files: readonly string[], window: ChartWindow) => Promise<void> = async () => {},
) {
  return computeCharts(
    { period: 'hour' },
    {
      lake,
      charts: store,
      clock: () => now,
      regions: ['us'],
      tally: async (files, window) => {
        await tally(files, window);
        return [];
      },
      countLakeFiles: async () => [],
      tallyAndCount: async (files, window) => {
        await tally(files, window);
        return { tallies: [], fileCounts: [] };
      },
      counts: { replaceLakeCounts: async () => {} },
      withScratchDir: (work) => work(join(dir.path, 'scratch')),
    },
  );
}

describe('a scheduled run with restatement marks', () => {
  it('recomputes each marked window once, final, and clears its marks after storing it', async () => {
    await latePlays(hoursAgo(5), 1);
    await latePlays(hoursAgo(5), 7);
    await latePlays(hoursAgo(3), 2);
    const { store, stored } = memoryStore();
    const result = await run(store);
    expect(result.computed.map((w) => [w.window_start, w.status, w.files, w.marks_cleared])).toEqual([
      ['2026-11-20T11:00:00.000Z', 'final', 0, 0],
      ['2026-11-20T12:00:00.000Z', 'provisional', 0, 0],
      ['2026-11-20T07:00:00.000Z', 'final', 2, 2],
      ['2026-11-20T09:00:00.000Z', 'final', 1, 1],
    ]);
    expect(await lake.list('restatements/hour/')).toEqual([]);
    expect(stored.get(hoursAgo(5).getTime())?.times).toBe(1);
    // Nothing marked any more: the next run leaves those windows alone.
    const next = await run(store);
    expect(next.computed.map((w) => w.window_start)).toEqual(['2026-11-20T12:00:00.000Z']);
  });

  it('keeps a mark written while the run was computing its window, for the next run', async () => {
    await latePlays(hoursAgo(4), 1);
    const { store } = memoryStore();
    let written: string[] = [];
    await run(store, async (_files, window) => {
      // The lake-writer writes another late file of the same hour after the run listed that hour's files.
      if (window.start.getTime() === hoursAgo(4).getTime() && written.length === 0) {
        written = await latePlays(hoursAgo(4), 9);
      }
    });
    expect(await lake.list('restatements/hour/')).toEqual(written);
    const next = await run(store);
    expect(next.computed.find((w) => w.window_start === hoursAgo(4).toISOString())).toMatchObject({
      files: 2,
      marks_cleared: 1,
    });
    expect(await lake.list('restatements/hour/')).toEqual([]);
  });

  it('keeps the marks of a window it could not store, and fails', async () => {
    const marks = await latePlays(hoursAgo(6), 1);
    const { store } = memoryStore({ failFor: hoursAgo(6).getTime() });
    await expect(run(store)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await lake.list('restatements/hour/')).toEqual(marks);
  });

  it('recomputes at most 24 windows a run, oldest first; the rest wait for the next runs', async () => {
    for (let n = 2; n < 32; n++) await latePlays(hoursAgo(n), n);
    const { store } = memoryStore();
    const first = await run(store);
    const restated = first.computed.slice(2).map((w) => w.window_start);
    expect(restated).toEqual(Array.from({ length: 24 }, (_, i) => hoursAgo(31 - i).toISOString()));
    expect(first.skipped).toEqual([
      {
        window_start: hoursAgo(7).toISOString(),
        reason: '6 windows wait for the next runs (at most 24 restated a run)',
      },
    ]);
    const second = await run(store);
    expect(second.computed.slice(1).map((w) => w.window_start)).toEqual(
      Array.from({ length: 6 }, (_, i) => hoursAgo(7 - i).toISOString()),
    );
    expect(await lake.list('restatements/hour/')).toEqual([]);
  });

  it('finishes windows a missed run left closing, and recomputes a marked window that had settled', async () => {
    const leftClosing = windowStartingAt('hour', hoursAgo(8));
    const { store, stored } = memoryStore({ unfinished: [leftClosing] });
    await run(store);
    expect(stored.get(leftClosing.start.getTime())).toMatchObject({ status: 'final', times: 1 });
    // 11:00 is settled now; a late play of it still gets it recomputed.
    await latePlays(hoursAgo(1), 3);
    const result = await run(store);
    expect(result.computed.map((w) => [w.window_start, w.marks_cleared])).toEqual([
      ['2026-11-20T12:00:00.000Z', 0],
      ['2026-11-20T11:00:00.000Z', 1],
    ]);
  });
});
