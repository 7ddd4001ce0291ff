import { tallyTopSongs } from '../adapters/duckdb/chart-query.ts';
import { tallyDayFromRollups } from '../adapters/duckdb/day-query.ts';
import { buildHourRollupFiles } from '../adapters/duckdb/hour-rollup.ts';
import { countLakeFiles, tallyAndCountPlays } from '../adapters/duckdb/lake-counts.ts';
import { withScratchDir } from '../adapters/scratch-dir.ts';
import type { ChartJobPorts } from '../use-cases/compute-charts.ts';
import type { Dependencies } from './dependencies.ts';

/** The chart job's ports in every runtime: DuckDB over the lake, day charts from hour rollups, counted. */
export async function chartJobPorts(deps: Dependencies): Promise<ChartJobPorts> {
  return {
    lake: deps.lake(),
    charts: await deps.chartStore(),
    clock: deps.clock,
    regions: deps.settings.regions,
    tally: tallyTopSongs,
    countLakeFiles,
    tallyAndCount: tallyAndCountPlays,
    rollups: { buildHourRollup: buildHourRollupFiles, tallyDay: tallyDayFromRollups },
    counts: await deps.pipelineCounts(),
    withScratchDir,
    metrics: deps.metrics,
  };
}
