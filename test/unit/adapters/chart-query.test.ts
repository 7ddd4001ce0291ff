import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceCharts } from '../../../devkit/reference-charts.ts';
import { createRandom } from '../../../src/adapters/catalog/seeded-random.ts';
import { tallyTopSongs } from '../../../src/adapters/duckdb/chart-query.ts';
import { withDuckDb } from '../../../src/adapters/duckdb/duckdb.ts';
import { tallyAndCountPlays } from '../../../src/adapters/duckdb/lake-counts.ts';
import { encodePlaysParquet } from '../../../src/adapters/duckdb/plays-parquet.ts';
import type { ChartWindow, RegionTally } from '../../../src/domain/charts.ts';
import { windowStartingAt } from '../../../src/domain/charts.ts';
import type { LakePlayRow } from '../../../src/domain/lake-row.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const hour = windowStartingAt('hour', new Date('2026-11-20T10:00:00Z'));

let dir: TempDir;
let fileCount = 0;

beforeAll(async () => {
  dir = await tempDir('chart-query');
});
afterAll(async () => {
  await dir.remove();
});

/** Writes rows as one lake Parquet file (the production encoder) and returns its path. */
async function parquetFile(rows: readonly LakePlayRow[]): Promise<string> {
  const path = join(dir.path, `plays-${fileCount++}.parquet`);
  await writeFile(path, await encodePlaysParquet(rows));
  return path;
}

let nextOffset = 0;
function play(fields: Partial<LakePlayRow> & Pick<LakePlayRow, 'song_id'>): LakePlayRow {
  const offset = nextOffset++;
  return {
    event_id: `00000000-0000-4000-8000-${String(offset).padStart(12, '0')}`,
    user_id: `user-${offset % 7}`,
    region: 'us',
    played_at: '2026-11-20T10:30:00.000Z',
    ms_played: 180_000,
    source_topic: 'song-plays',
    source_partition: 0,
    source_offset: offset,
    ...fields,
  };
}

/** n eligible plays of a song in a region. */
const plays = (n: number, song_id: string, region = 'us') =>
  Array.from({ length: n }, () => play({ song_id, region }));

/** Tallies as a plain object keyed by region, for exact comparisons. */
const byRegion = (tallies: RegionTally[]) =>
  Object.fromEntries(tallies.map(({ region, ...tally }) => [region, tally]));

describe('tallyTopSongs (DuckDB over Parquet)', () => {
  it('counts a play from 30000 ms, not at 29999 ms', async () => {
    const file = await parquetFile([
      play({ song_id: 'song-a', ms_played: 29_999 }),
      play({ song_id: 'song-b', ms_played: 30_000 }),
      play({ song_id: 'song-c', ms_played: 0 }),
    ]);
    expect(byRegion(await tallyTopSongs([file], hour))).toEqual({
      us: { eligible_plays: 1, entries: [{ rank: 1, song_id: 'song-b', plays: 1 }] },
      global: { eligible_plays: 1, entries: [{ rank: 1, song_id: 'song-b', plays: 1 }] },
    });
  });

  it('counts an event_id once when it was delivered twice, in two files', async () => {
    const once = play({ song_id: 'song-a' });
    // The same event, redelivered at a later offset (another batch, another file).
    const again = { ...once, source_offset: once.source_offset + 1000 };
    const first = await parquetFile([once, play({ song_id: 'song-b' }), play({ song_id: 'song-b' })]);
    const second = await parquetFile([again, { ...again, source_partition: 1 }]);
    const tallies = byRegion(await tallyTopSongs([first, second], hour));
    expect(tallies.us).toEqual({
      eligible_plays: 3,
      entries: [
        { rank: 1, song_id: 'song-b', plays: 2 },
        { rank: 2, song_id: 'song-a', plays: 1 },
      ],
    });
  });

  it('reads files by column name: another writer’s column order and integer widths count the same', async () => {
    const ours = await parquetFile(plays(2, 'song-a'));
    const theirs = join(dir.path, `plays-${fileCount++}.parquet`);
    const [first, second] = plays(2, 'song-b');
    await withDuckDb(async (connection) => {
      // Columns reversed, offsets and durations as BIGINT: what a Spark writer might produce.
      const row = (p: LakePlayRow) =>
        `SELECT ${p.source_offset}::BIGINT AS source_offset, ${p.source_partition}::BIGINT AS source_partition,
                '${p.source_topic}' AS source_topic, NULL::VARCHAR AS session_id, NULL::VARCHAR AS device,
                ${p.ms_played}::BIGINT AS ms_played, '${p.played_at}'::TIMESTAMPTZ AS played_at,
                '${p.region}' AS region, '${p.song_id}' AS song_id, '${p.user_id}' AS user_id,
                '${p.event_id}' AS event_id`;
      await connection.run(`COPY (${row(first!)} UNION ALL ${row(second!)}) TO '${theirs}' (FORMAT parquet)`);
    });
    // Both orders of the files: DuckDB matches columns to the first file's.
    for (const files of [
      [ours, theirs],
      [theirs, ours],
    ]) {
      expect(byRegion(await tallyTopSongs(files, hour)).us?.entries).toEqual([
        { rank: 1, song_id: 'song-a', plays: 2 },
        { rank: 2, song_id: 'song-b', plays: 2 },
      ]);
    }
  });

  it('fails, naming the file, when a file lacks a column the rules read', async () => {
    const good = await parquetFile(plays(1, 'song-a'));
    const lacking = join(dir.path, `plays-${fileCount++}.parquet`);
    await withDuckDb((connection) =>
      connection.run(`COPY (SELECT 'x' AS event_id, 'song-a' AS song_id) TO '${lacking}' (FORMAT parquet)`),
    );
    await expect(tallyTopSongs([good, lacking], hour)).rejects.toThrow(lacking);
  });

  it('counts only plays inside the window: start included, end excluded', async () => {
    const file = await parquetFile([
      play({ song_id: 'song-before', played_at: '2026-11-20T09:59:59.999Z' }),
      play({ song_id: 'song-start', played_at: '2026-11-20T10:00:00.000Z' }),
      play({ song_id: 'song-last', played_at: '2026-11-20T10:59:59.999Z' }),
      play({ song_id: 'song-end', played_at: '2026-11-20T11:00:00.000Z' }),
    ]);
    const tallies = byRegion(await tallyTopSongs([file], hour));
    expect(tallies.us?.entries.map((entry) => entry.song_id)).toEqual(['song-last', 'song-start']);
    expect(tallies.us?.eligible_plays).toBe(2);
  });

  it('breaks ties by song_id ascending and keeps only the top 10, with eligible_plays over all songs', async () => {
    const rows = [
      ...plays(3, 'song-m'),
      // Eleven songs with 2 plays each, written in reverse order: only the first nine by id make the chart.
      ...['k', 'j', 'i', 'h', 'g', 'f', 'e', 'd', 'c', 'b', 'a'].flatMap((letter) =>
        plays(2, `song-${letter}`),
      ),
      ...plays(1, 'song-z'),
    ];
    const tallies = byRegion(await tallyTopSongs([await parquetFile(rows)], hour));
    expect(tallies.us).toEqual({
      eligible_plays: 3 + 11 * 2 + 1,
      entries: [
        { rank: 1, song_id: 'song-m', plays: 3 },
        ...['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((letter, index) => ({
          rank: index + 2,
          song_id: `song-${letter}`,
          plays: 2,
        })),
      ],
    });
  });

  it('charts every region separately and `global` over all of them; regions without plays are absent', async () => {
    const file = await parquetFile([
      ...plays(2, 'song-a', 'us'),
      ...plays(1, 'song-b', 'us'),
      ...plays(3, 'song-b', 'gb'),
      ...plays(1, 'song-c', 'de'),
      play({ song_id: 'song-d', region: 'fr', ms_played: 1_000 }),
    ]);
    expect(byRegion(await tallyTopSongs([file], hour))).toEqual({
      us: {
        eligible_plays: 3,
        entries: [
          { rank: 1, song_id: 'song-a', plays: 2 },
          { rank: 2, song_id: 'song-b', plays: 1 },
        ],
      },
      gb: { eligible_plays: 3, entries: [{ rank: 1, song_id: 'song-b', plays: 3 }] },
      de: { eligible_plays: 1, entries: [{ rank: 1, song_id: 'song-c', plays: 1 }] },
      global: {
        eligible_plays: 7,
        entries: [
          { rank: 1, song_id: 'song-b', plays: 4 },
          { rank: 2, song_id: 'song-a', plays: 2 },
          { rank: 3, song_id: 'song-c', plays: 1 },
        ],
      },
    });
  });

  it('keeps no copy of the files it read once the query is done (DuckDB external file cache off)', async () => {
    const files = [await parquetFile(plays(20, 'song-a')), await parquetFile(plays(20, 'song-b'))];
    expect(await tallyTopSongs(files, hour)).not.toEqual([]);
    const cached = await withDuckDb(async (connection) =>
      (
        await connection.runAndReadAll(
          "SELECT memory_usage_bytes::DOUBLE AS bytes FROM duckdb_memory() WHERE tag = 'EXTERNAL_FILE_CACHE'",
        )
      ).getRowObjectsJS(),
    );
    expect(cached).toEqual([{ bytes: 0 }]);
  });

  it('returns nothing for no files, or for files without eligible plays', async () => {
    expect(await tallyTopSongs([], hour)).toEqual([]);
    const file = await parquetFile([play({ song_id: 'song-a', ms_played: 10 })]);
    expect(await tallyTopSongs([file], hour)).toEqual([]);
  });

  it('matches an independent reference on seeded random traffic with many ties and duplicates; so do the charts and lake counts of tallyAndCountPlays', async () => {
    const random = createRandom(20261120).next;
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const regions = ['us', 'gb', 'de', 'br', 'jp'];
    const songs = Array.from({ length: 14 }, (_, index) => `song-${String(index).padStart(3, '0')}`);
    const day = windowStartingAt('day', new Date('2026-11-20T00:00:00Z'));
    const rows: LakePlayRow[] = [];
    for (let index = 0; index < 3000; index++) {
      if (rows.length > 0 && random() < 0.1) {
        // A redelivery of an earlier play at a later offset, possibly on another partition.
        rows.push({
          ...pick(rows),
          source_partition: Math.floor(random() * 3),
          source_offset: 100_000 + index,
        });
        continue;
      }
      rows.push(
        play({
          song_id: pick(songs),
          region: pick(regions),
          // Mostly inside the 10:00 hour, some just outside, some on the boundaries.
          played_at: new Date(
            pick([
              hour.start.getTime() + Math.floor(random() * 3_600_000),
              hour.start.getTime() + Math.floor(random() * 3_600_000),
              hour.start.getTime() - 1 - Math.floor(random() * 3_600_000),
              hour.end.getTime() + Math.floor(random() * 3_600_000),
              hour.start.getTime(),
              hour.end.getTime(),
            ]),
          ).toISOString(),
          ms_played: pick([29_999, 30_000, 0, 45_000, 200_000, 10_000]),
        }),
      );
    }
    // Shuffle the rows into five files, so duplicates span files.
    const files: LakePlayRow[][] = [[], [], [], [], []];
    for (const row of rows) pick(files).push(row);
    const paths = await Promise.all(files.map(parquetFile));

    for (const window of [hour, day]) {
      const actual = byRegion(await tallyTopSongs(paths, window));
      const expected = Object.fromEntries(referenceCharts(rows, window.start, window.end));
      expect(actual).toEqual(expected);
      // The data really has ties inside the charts, so the tie-break is exercised.
      const globalPlays = expected.global!.entries.map((entry) => entry.plays);
      expect(new Set(globalPlays).size).toBeLessThan(globalPlays.length);
      // The same files read once for the chart and the lake counts together.
      const together = await tallyAndCountPlays(paths, window);
      expect(byRegion(together.tallies)).toEqual(expected);
      const counts = Object.fromEntries(together.fileCounts.map(({ region, ...count }) => [region, count]));
      expect(counts).toEqual(referenceLakeCounts(rows, window));
      expect(counts.global!.duplicates).toBeGreaterThan(0);
      expect(counts.global!.short_plays).toBeGreaterThan(0);
    }
  });
});

/**
 * The lake counts of a window, by their definitions (docs/contracts.md): every delivery played in the window is a
 * row of its region; of an event_id's deliveries the one with the lowest (partition, offset) is its first, the
 * others are duplicates; a first delivery under 30 s is a short play.
 */
function referenceLakeCounts(rows: readonly LakePlayRow[], window: ChartWindow) {
  const firstOf = new Map<string, LakePlayRow>();
  for (const row of rows) {
    const first = firstOf.get(row.event_id);
    const earlier =
      first === undefined ||
      row.source_partition < first.source_partition ||
      (row.source_partition === first.source_partition && row.source_offset < first.source_offset);
    if (earlier) firstOf.set(row.event_id, row);
  }
  const counts: Record<
    string,
    { rows: number; duplicates: number; short_plays: number; newest_play_at: Date }
  > = {};
  for (const row of rows) {
    const at = new Date(row.played_at);
    if (at < window.start || at >= window.end) continue;
    for (const region of [row.region, 'global']) {
      counts[region] ??= { rows: 0, duplicates: 0, short_plays: 0, newest_play_at: at };
      const count = counts[region];
      count.rows += 1;
      if (firstOf.get(row.event_id) !== row) count.duplicates += 1;
      else if (row.ms_played < 30_000) count.short_plays += 1;
      if (at > count.newest_play_at) count.newest_play_at = at;
    }
  }
  return counts;
}
