/**
 * The charts the chart job would compute from a lake folder: tallyTopSongs over plays/**\/*.parquet for the
 * hour and day windows containing each given instant (every region with eligible plays, and global):
 *
 *   node spark/tests/charts_probe.ts <lake folder> <instant> [<instant> …]     → JSON on stdout
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tallyTopSongs } from '../../src/adapters/duckdb/chart-query.ts';
import { type ChartWindow, windowContaining } from '../../src/domain/charts.ts';

const [lake, ...instants] = process.argv.slice(2);
if (!lake || instants.length === 0) {
  console.error('usage: node spark/tests/charts_probe.ts <lake folder> <instant> [<instant> …]');
  process.exit(2);
}
const files = readdirSync(join(lake, 'plays'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.parquet'))
  .map((file) => join(lake, 'plays', file))
  .sort();
const windows = new Map<string, ChartWindow>();
for (const instant of instants) {
  for (const period of ['hour', 'day'] as const) {
    const window = windowContaining(period, new Date(instant));
    windows.set(`${period} ${window.start.toISOString()}`, window);
  }
}
const charts: Record<string, unknown> = {};
for (const [name, window] of windows) {
  const tallies = await tallyTopSongs(files, window);
  charts[name] = Object.fromEntries(
    tallies.sort((a, b) => (a.region < b.region ? -1 : 1)).map(({ region, ...tally }) => [region, tally]),
  );
}
console.log(JSON.stringify({ files: files.length, charts }, null, 2));
