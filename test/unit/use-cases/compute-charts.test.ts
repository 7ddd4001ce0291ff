import { describe, expect, it } from 'vitest';
import { type ChartStore, StoreUnavailableError } from '../../../src/ports/chart-store.ts';
import type { ObjectStore } from '../../../src/ports/object-store.ts';
import { computeCharts } from '../../../src/use-cases/compute-charts.ts';
import { fakeChartStore } from '../support/fake-chart-store.ts';

const emptyLake: ObjectStore = {
  put: async () => {},
  get: async () => undefined,
  delete: async () => {},
  list: async () => [],
  listObjects: async () => [],
  localCopies: async () => [],
  describe: () => 'an empty lake',
};

const storeFailingWith = (error: Error): ChartStore => ({
  ...fakeChartStore([]).store,
  replaceWindow: async () => {
    throw error;
  },
});

const chartHour = (charts: ChartStore) =>
  computeCharts(
    { period: 'hour', windowStart: new Date('2026-11-20T10:00:00Z') },
    {
      lake: emptyLake,
      charts,
      clock: () => new Date('2026-11-20T12:00:00Z'),
      regions: ['us'],
      tally: async () => [],
      countLakeFiles: async () => [],
      tallyAndCount: async () => ({ tallies: [], fileCounts: [] }),
      counts: { replaceLakeCounts: async () => {} },
      withScratchDir: (work) => work('/nowhere'),
    },
  );

describe('computeCharts with the database out of reach', () => {
  it('fails with a StoreUnavailableError that says which window was not stored and what happens next', async () => {
    const failure = chartHour(
      storeFailingWith(new StoreUnavailableError('PostgreSQL is unreachable (57P01)')),
    );
    await expect(failure).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(failure).rejects.toThrow(
      'the hour charts of 2026-11-20T10:00:00.000Z were not stored (PostgreSQL is unreachable (57P01)); ' +
        'the window keeps its previous charts, and the next run computes it again',
    );
  });

  it('passes any other failure on as it is', async () => {
    const bug = new TypeError('not a chart');
    await expect(chartHour(storeFailingWith(bug))).rejects.toBe(bug);
  });
});
