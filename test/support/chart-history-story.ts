/**
 * A small chart history with every kind of movement, for the dashboard's browser tests: known plays written
 * into the lake through the lake-writer function, the real chart jobs run for five consecutive hours (the last
 * one still open), and the expected charts and semantics derived from the same plays by the tests' independent
 * references (reference-charts.ts, reference-chart-semantics.ts).
 */
import { randomUUID } from 'node:crypto';
import { writePlaysThroughLakeWriter } from '../../devkit/lake.ts';
import { type ReferencePlay, referenceCharts } from '../../devkit/reference-charts.ts';
import { invokeFunction } from '../../local/functions.ts';
import type { Song } from '../../src/domain/song.ts';
import { referenceChartSemantics } from './reference-chart-semantics.ts';

const HOUR = 3_600_000;

export const storyCatalog: Song[] = [
  { song_id: 'song-a', title: 'Amber Road', artist: 'The Lanterns', genre: 'indie' },
  { song_id: 'song-b', title: 'Blue Static', artist: 'Vela', genre: 'pop' },
  { song_id: 'song-c', title: 'Copper Moon', artist: 'Northern Lines', genre: 'rock' },
  { song_id: 'song-d', title: 'Dust and Neon', artist: 'Sundial', genre: 'electronic' },
  { song_id: 'song-e', title: 'Echo Harbour', artist: 'Grey Skies', genre: 'pop' },
  { song_id: 'song-f', title: 'Faraway Signal', artist: 'Highway Kids', genre: 'country' },
];

/**
 * Eligible plays per hour (offset from the open hour), region and song. In gb: b climbs over a (up, down), d is
 * new, c drops out and re-enters, e enters at #1, and the open hour has three plays: the "nearly empty" live chart.
 */
const counts: Record<number, Record<string, Record<string, number>>> = {
  [-4]: { gb: { 'song-a': 5, 'song-b': 4, 'song-c': 3 } },
  [-3]: { gb: { 'song-a': 5, 'song-b': 6, 'song-d': 2 } },
  [-2]: { gb: { 'song-b': 6, 'song-a': 4, 'song-c': 3, 'song-d': 1 } },
  [-1]: { gb: { 'song-e': 8, 'song-c': 7, 'song-b': 6, 'song-a': 1 }, us: { 'song-a': 3, 'song-f': 2 } },
  0: { gb: { 'song-c': 2, 'song-e': 1 } },
};

export interface ExpectedEntry {
  readonly rank: number;
  readonly song_id: string;
  readonly plays: number;
  readonly previous_rank: number | null;
  readonly movement: string;
  readonly peak_rank: number;
  readonly periods_on_chart: number;
}

export interface ChartHistoryStory {
  /** The start of the hour `offset` hours from the open one (0), as the API writes it. */
  readonly hour: (offset: number) => string;
  /** What the chart of `region` for the hour at `offset` must hold, from the references. */
  readonly expected: (region: string, offset: number) => ExpectedEntry[];
  /** The hours (offsets, oldest first) in which `songId` was in `region`'s top 10, with rank and plays. */
  readonly songHistory: (region: string, songId: string) => { offset: number; rank: number; plays: number }[];
}

/**
 * Writes the plays and charts the five hours with the real jobs: the open hour first, right after reading the
 * clock, so that it is still open (provisional) when charted; the earlier ones after it, as a backfill would,
 * which also makes the jobs re-derive the open hour's semantics.
 */
export async function writeChartHistoryStory(now: Date = new Date()): Promise<ChartHistoryStory> {
  const open = Math.floor(now.getTime() / HOUR) * HOUR;
  const hour = (offset: number) => new Date(open + offset * HOUR).toISOString();
  const played: ReferencePlay[] = [];
  let offset = 0;
  for (const at of [0, -4, -3, -2, -1]) {
    // Open hour: stamped at its very start, never in the future; closed hours: ten minutes in.
    const playedAt = new Date(Date.parse(hour(at)) + (at === 0 ? 0 : 10 * 60_000)).toISOString();
    const plays = Object.entries(counts[at] ?? {}).flatMap(([region, songs]) =>
      Object.entries(songs).flatMap(([song_id, n]) =>
        Array.from({ length: n }, (_, index) => ({
          event_id: randomUUID(),
          user_id: `listener-${index}`,
          song_id,
          region,
          played_at: playedAt,
          ms_played: 61_000,
        })),
      ),
    );
    await writePlaysThroughLakeWriter(plays, { partition: 0, firstOffset: offset });
    offset += plays.length;
    played.push(...plays);
    await invokeFunction('chart-hourly', { period: 'hour', window_start: hour(at) });
  }

  const offsets = [-4, -3, -2, -1, 0];
  const chartOf = (region: string, at: number) =>
    referenceCharts(played, new Date(hour(at)), new Date(hour(at + 1))).get(region)?.entries ?? [];
  const expected = (region: string, at: number): ExpectedEntry[] => {
    const semantics = referenceChartSemantics(
      offsets.map((other) => ({
        region,
        period: 'hour',
        window_start: new Date(hour(other)),
        songs: chartOf(region, other).map((entry) => entry.song_id),
      })),
    ).filter((entry) => entry.window_start === hour(at));
    return chartOf(region, at).map((entry, index) => {
      const { previous_rank, movement, peak_rank, periods_on_chart } = semantics[index]!;
      return { ...entry, previous_rank, movement, peak_rank, periods_on_chart };
    });
  };
  const songHistory = (region: string, songId: string) =>
    offsets.flatMap((at) => {
      const entry = chartOf(region, at).find((candidate) => candidate.song_id === songId);
      return entry ? [{ offset: at, rank: entry.rank, plays: entry.plays }] : [];
    });
  return { hour, expected, songHistory };
}
