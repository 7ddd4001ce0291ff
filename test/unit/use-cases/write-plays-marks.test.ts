/**
 * The lake-writer's restatement marks: written for closed windows only, after the plays file they stand for is
 * durable, under the same keys on a retry; a mark that cannot be written fails the partition.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodePlayColumnsParquet } from '../../../src/adapters/duckdb/plays-parquet.ts';
import { LocalFolderStore } from '../../../src/adapters/object-store/local-folder.ts';
import type { ConsumedRecord } from '../../../src/domain/consumed-record.ts';
import type { ObjectStore } from '../../../src/ports/object-store.ts';
import { writePlaysToLake } from '../../../src/use-cases/write-plays-to-lake.ts';
import { withOverrides } from '../../support/store-overrides.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

let dir: TempDir;
let lake: LocalFolderStore;
beforeEach(async () => {
  dir = await tempDir('lake-writer-marks');
  lake = new LocalFolderStore(join(dir.path, 'lake'));
});
afterEach(async () => {
  await dir.remove();
});

const record = (offset: number, played_at: string): ConsumedRecord => ({
  topic: 'song-plays',
  partition: 0,
  offset,
  timestamp: Date.parse('2026-11-21T00:30:00Z'),
  value: JSON.stringify({
    event_id: `00000000-0000-4000-8000-${String(offset).padStart(12, '0')}`,
    user_id: 'u',
    song_id: 's',
    region: 'us',
    played_at,
    ms_played: 60_000,
  }),
});
// A batch at 00:30 on the 21st: a play of yesterday 13:xx, one of 23:58 (its hour and day still closing at
// 00:02, closed at 00:30), and one of the open hour.
const batch = [
  record(10, '2026-11-20T13:15:00Z'),
  record(11, '2026-11-20T23:58:00Z'),
  record(12, '2026-11-21T00:29:00Z'),
];
const file = (hour: string, offset: number) =>
  `plays/dt=${hour.slice(0, 10)}/hour=${hour.slice(11)}/lake-writer-song-plays-0-${String(offset).padStart(12, '0')}.parquet`;

/** Records every put in order. */
function recording(store: ObjectStore, puts: string[], failOn?: (key: string) => boolean): ObjectStore {
  return withOverrides(store, {
    put: async (key, body, type) => {
      if (failOn?.(key)) throw new Error(`cannot write ${key}`);
      await store.put(key, body, type);
      puts.push(key);
    },
  });
}

const ports = (store: ObjectStore, now: string) => ({
  lake: store,
  regions: ['us'],
  writer: 'lake-writer',
  encodePlays: encodePlayColumnsParquet,
  clock: () => new Date(now),
});

describe('writePlaysToLake: restatement marks', () => {
  it('marks the closed hours and days the batch wrote into, each mark after its plays file', async () => {
    const puts: string[] = [];
    const summary = await writePlaysToLake(batch, ports(recording(lake, puts), '2026-11-21T00:30:00Z'));
    expect(summary.failures).toEqual([]);
    const marks = [
      'restatements/hour/2026-11-20T13/lake-writer-song-plays-0-000000000010',
      'restatements/day/2026-11-20/13-lake-writer-song-plays-0-000000000010',
      'restatements/hour/2026-11-20T23/lake-writer-song-plays-0-000000000011',
      'restatements/day/2026-11-20/23-lake-writer-song-plays-0-000000000011',
    ];
    expect([...summary.marks].sort()).toEqual([...marks].sort());
    expect(await lake.list('restatements/')).toEqual([...marks].sort());
    for (const [mark, played] of [
      [marks[0]!, file('2026-11-20T13', 10)],
      [marks[2]!, file('2026-11-20T23', 11)],
    ] as const) {
      expect(puts.indexOf(mark)).toBeGreaterThan(puts.indexOf(played));
    }
    const body = JSON.parse(new TextDecoder().decode(await lake.get(marks[0]!)));
    expect(body).toEqual({ plays_file: file('2026-11-20T13', 10), marked_at: '2026-11-21T00:30:00.000Z' });
  });

  it('marks only what is closed by the writer’s clock: at 00:02 the 23:00 hour and its day are still closing', async () => {
    const summary = await writePlaysToLake(batch, ports(lake, '2026-11-21T00:02:00Z'));
    expect(summary.marks).toEqual(['restatements/hour/2026-11-20T13/lake-writer-song-plays-0-000000000010']);
  });

  it('writes the same marks again on a retry, and fails the partition when a mark cannot be written', async () => {
    const puts: string[] = [];
    const failing = recording(lake, puts, (key) => key.startsWith('restatements/day/'));
    const first = await writePlaysToLake(batch, ports(failing, '2026-11-21T00:30:00Z'));
    expect(first.failures).toEqual([
      expect.objectContaining({ partition: 0, offset: 10, reason: expect.stringContaining('cannot write') }),
    ]);
    const retry = await writePlaysToLake(batch, ports(lake, '2026-11-21T00:31:00Z'));
    expect(retry.failures).toEqual([]);
    expect(await lake.list('restatements/')).toHaveLength(4);
    expect(await lake.list('plays/')).toEqual([
      file('2026-11-20T13', 10),
      file('2026-11-20T23', 11),
      file('2026-11-21T00', 12),
    ]);
  });
});
