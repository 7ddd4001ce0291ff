/**
 * The chart job's ports for a test: the real tally, lake counting and scratch folders, every region, no
 * pipeline counts kept; the test gives its lake, store and clock, and overrides whatever else it checks.
 */
import { tallyTopSongs } from '../../src/adapters/duckdb/chart-query.ts';
import { countLakeFiles, tallyAndCountPlays } from '../../src/adapters/duckdb/lake-counts.ts';
import { withScratchDir } from '../../src/adapters/scratch-dir.ts';
import { defaultRegions } from '../../src/domain/regions.ts';
import type { ChartJobPorts } from '../../src/use-cases/compute-charts.ts';

export function chartJobPortsForTest(
  ports: Pick<ChartJobPorts, 'lake' | 'charts' | 'clock'> & Partial<ChartJobPorts>,
): ChartJobPorts {
  return {
    regions: defaultRegions,
    tally: tallyTopSongs,
    countLakeFiles,
    tallyAndCount: tallyAndCountPlays,
    counts: { replaceLakeCounts: async () => {} },
    withScratchDir,
    ...ports,
  };
}
