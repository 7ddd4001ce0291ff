import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalFolderStore } from '../../../src/adapters/object-store/local-folder.ts';
import { encodePlaysWithHyparquet } from '../../../src/adapters/parquet/plays-hyparquet.ts';
import type { ConsumedRecord } from '../../../src/domain/consumed-record.ts';
import type { ObjectStore } from '../../../src/ports/object-store.ts';
import { type LakeWriterPorts, writePlaysToLake } from '../../../src/use-cases/write-plays-to-lake.ts';
import { withOverrides } from '../../support/store-overrides.ts';
import { readPlayRows, type TempDir, tempDir } from '../support/temp.ts';

const regions = ['us', 'gb', 'de'];
const received = Date.parse('2026-11-20T10:59:30Z');

let dir: TempDir;
let lake: LocalFolderStore;
const ports = (store: ObjectStore = lake): LakeWriterPorts => ({
  lake: store,
  regions,
  writer: 'lake-writer',
  encodePlays: encodePlaysWithHyparquet,
  // Within the grace of 09:00, so no window is closed to writers yet: only plays and rejects are written here;
  // restatement marks have tests of their own (write-plays-marks.test.ts).
  clock: () => new Date('2026-11-20T10:01:00Z'),
});

beforeEach(async () => {
  dir = await tempDir('lake-writer');
  lake = new LocalFolderStore(join(dir.path, 'lake'));
});
afterEach(async () => {
  await dir.remove();
});

const eventId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
function record(partition: number, offset: number, value: unknown, timestamp = received): ConsumedRecord {
  return {
    topic: 'song-plays',
    partition,
    offset,
    timestamp,
    value: typeof value === 'string' ? value : JSON.stringify(value),
  };
}
const playAt = (n: number, played_at: string, extra: Record<string, unknown> = {}) => ({
  event_id: eventId(n),
  user_id: `user-${n}`,
  song_id: `song-${n}`,
  region: 'us',
  played_at,
  ms_played: 60_000,
  ...extra,
});

const key = (hour: string, partition: number, offset: number) =>
  `plays/dt=2026-11-20/hour=${hour}/lake-writer-song-plays-${partition}-${String(offset).padStart(12, '0')}.parquet`;
const rejectsKey = (partition: number, offset: number) =>
  `rejects/dt=2026-11-20/lake-writer-song-plays-${partition}-${String(offset).padStart(12, '0')}.jsonl`;

const filesOnDisk = async () =>
  (await readdir(join(dir.path, 'lake'), { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(join(dir.path, 'lake').length + 1))
    .sort();
const rowsOf = (lakeKey: string) => readPlayRows([join(dir.path, 'lake', lakeKey)]);

describe('writePlaysToLake', () => {
  it('writes one Parquet file per UTC hour and source partition, named after its first offset', async () => {
    const records = [
      // Partition 1, out of order on purpose: the file is named after the lowest offset of its hour.
      record(1, 12, playAt(3, '2026-11-20T10:40:00Z')),
      record(1, 10, playAt(1, '2026-11-20T10:05:00Z')),
      record(1, 11, playAt(2, '2026-11-20T09:59:59.999Z')),
      record(1, 13, playAt(4, '2026-11-20T11:20:00+01:00', { device: 'ios' })),
      record(2, 7, playAt(5, '2026-11-20T10:00:00Z', { region: 'gb', session_id: 'sess-5' })),
    ];
    const summary = await writePlaysToLake(records, ports());

    const expectedFiles = [key('09', 1, 11), key('10', 1, 10), key('10', 2, 7)];
    expect(summary).toMatchObject({ written: 5, rejected: 0, failures: [] });
    expect([...summary.files].sort()).toEqual(expectedFiles);
    expect(await filesOnDisk()).toEqual(expectedFiles);

    expect(
      (await rowsOf(key('10', 1, 10))).map((row) => [row.source_offset, row.event_id, row.played_at]),
    ).toEqual([
      [10, eventId(1), '2026-11-20T10:05:00.000Z'],
      [12, eventId(3), '2026-11-20T10:40:00.000Z'],
      // 11:20 at +01:00 is 10:20 UTC: stored in UTC, in the 10 o'clock partition.
      [13, eventId(4), '2026-11-20T10:20:00.000Z'],
    ]);
    expect(await rowsOf(key('09', 1, 11))).toEqual([
      {
        ...playAt(2, '2026-11-20T09:59:59.999Z'),
        device: null,
        session_id: null,
        source_topic: 'song-plays',
        source_partition: 1,
        source_offset: 11,
      },
    ]);
    expect(await rowsOf(key('10', 2, 7))).toEqual([
      {
        ...playAt(5, '2026-11-20T10:00:00.000Z', { region: 'gb', session_id: 'sess-5' }),
        device: null,
        source_topic: 'song-plays',
        source_partition: 2,
        source_offset: 7,
      },
    ]);
  });

  it('writes invalid records to rejects/ as JSON lines with their reasons, and still writes the valid ones', async () => {
    const records = [
      record(0, 40, playAt(1, '2026-11-20T10:10:00Z')),
      record(0, 41, { ...playAt(2, '2026-11-20T10:11:00Z'), region: 'atlantis' }),
      record(0, 42, '{"event_id": "cut off'),
      record(0, 43, playAt(3, '2026-11-20T10:12:00Z')),
      // Judged by the record's own timestamp: 5 minutes and 1 ms ahead of it is too far.
      record(0, 44, playAt(4, '2026-11-20T11:04:30.001Z')),
    ];
    const summary = await writePlaysToLake(records, ports());

    expect(summary).toMatchObject({ written: 2, rejected: 3, failures: [] });
    expect(await filesOnDisk()).toEqual([key('10', 0, 40), rejectsKey(0, 41)]);
    expect((await rowsOf(key('10', 0, 40))).map((row) => row.source_offset)).toEqual([40, 43]);

    const lines = (await readFile(join(dir.path, 'lake', rejectsKey(0, 41)), 'utf8')).split('\n');
    expect(lines.at(-1)).toBe('');
    const rejects = lines.slice(0, -1).map((line) => JSON.parse(line));
    expect(rejects.map((reject) => reject.offset)).toEqual([41, 42, 44]);
    expect(rejects[0]).toEqual({
      topic: 'song-plays',
      partition: 0,
      offset: 41,
      received_at: '2026-11-20T10:59:30.000Z',
      errors: [{ field: 'region', message: 'unknown region "atlantis"; expected one of us, gb, de' }],
      value: records[1]!.value,
    });
    expect(rejects[1].errors).toEqual([
      { field: '(record)', message: expect.stringMatching(/^value is not valid JSON/) },
    ]);
    expect(rejects[1].value).toBe('{"event_id": "cut off');
    expect(rejects[2].errors).toEqual([
      { field: 'played_at', message: 'is more than 5 minutes in the future' },
    ]);
  });

  it('fails exactly the partition whose write failed, from its first offset, and writes the others', async () => {
    const failing = withOverrides(lake, {
      put: async (lakeKey, body, contentType) => {
        if (lakeKey.includes('-song-plays-1-')) throw new Error('disk full');
        return lake.put(lakeKey, body, contentType);
      },
    });
    const records = [
      record(0, 5, playAt(1, '2026-11-20T10:10:00Z')),
      record(1, 21, playAt(2, '2026-11-20T10:10:00Z')),
      record(1, 20, playAt(3, '2026-11-20T09:10:00Z')),
      record(2, 3, playAt(4, '2026-11-20T10:10:00Z')),
    ];
    const summary = await writePlaysToLake(records, ports(failing));

    expect(summary.failures).toEqual([
      { topic: 'song-plays', partition: 1, offset: 20, reason: 'disk full' },
    ]);
    expect(summary.written).toBe(2);
    expect(await filesOnDisk()).toEqual([key('10', 0, 5), key('10', 2, 3)]);
  });

  /** The lake, each plays file's put held until `release` opens its gate (the 09 hour's then fails); `started`: puts begun. */
  function held(): { store: ObjectStore; started: string[]; release: (key: string) => void } {
    const started: string[] = [];
    const gates = new Map<string, { opened: Promise<void>; open: () => void }>();
    const gate = (lakeKey: string) => {
      let entry = gates.get(lakeKey);
      if (!entry) {
        let open = () => {};
        const opened = new Promise<void>((resolve) => {
          open = resolve;
        });
        entry = { opened, open };
        gates.set(lakeKey, entry);
      }
      return entry;
    };
    const store = withOverrides(lake, {
      put: async (lakeKey, body, contentType) => {
        // Plays files only: the closed 08 hour's restatement marks go through.
        if (!lakeKey.startsWith('plays/')) return lake.put(lakeKey, body, contentType);
        started.push(lakeKey);
        await gate(lakeKey).opened;
        if (lakeKey.includes('hour=09')) throw new Error('disk full');
        return lake.put(lakeKey, body, contentType);
      },
    });
    return { store, started, release: (lakeKey) => gate(lakeKey).open() };
  }

  it("starts a partition's next file before the one before it is written, and answers only once all are settled", async () => {
    const { store, started, release } = held();
    const records = [
      record(0, 1, playAt(1, '2026-11-20T08:10:00Z')),
      record(0, 2, playAt(2, '2026-11-20T09:10:00Z')),
      record(0, 3, playAt(3, '2026-11-20T10:10:00Z')),
    ];
    let answered = false;
    const summary = writePlaysToLake(records, ports(store)).finally(() => {
      answered = true;
    });
    // Every file of the partition is being written while none has been: the writes overlap.
    await vi.waitFor(() => expect(started).toEqual([key('08', 0, 1), key('09', 0, 2), key('10', 0, 3)]));
    // The 09 file fails at once; the partition still waits for the two under way.
    release(key('09', 0, 2));
    release(key('08', 0, 1));
    await new Promise(setImmediate);
    expect(answered).toBe(false);
    release(key('10', 0, 3));
    expect((await summary).failures).toEqual([
      { topic: 'song-plays', partition: 0, offset: 1, reason: 'disk full' },
    ]);
    expect((await filesOnDisk()).filter((file) => file.startsWith('plays/'))).toEqual([
      key('08', 0, 1),
      key('10', 0, 3),
    ]);
  });

  it('rewrites the same keys when the same batch is retried: no extra files, the same rows', async () => {
    const records = [
      record(0, 1, playAt(1, '2026-11-20T10:10:00Z')),
      record(0, 2, playAt(2, '2026-11-20T09:10:00Z')),
      record(0, 3, { ...playAt(3, '2026-11-20T10:10:00Z'), ms_played: -1 }),
      record(1, 9, playAt(4, '2026-11-20T10:30:00Z')),
    ];
    const first = await writePlaysToLake(records, ports());
    const filesAfterFirst = await filesOnDisk();
    const rowsAfterFirst = await Promise.all(
      filesAfterFirst.filter((f) => f.endsWith('.parquet')).map(rowsOf),
    );

    const second = await writePlaysToLake(records, ports());
    expect([...second.files].sort()).toEqual([...first.files].sort());
    expect(await filesOnDisk()).toEqual(filesAfterFirst);
    expect(filesAfterFirst).toEqual([key('09', 0, 2), key('10', 0, 1), key('10', 1, 9), rejectsKey(0, 3)]);
    expect(await Promise.all(filesAfterFirst.filter((f) => f.endsWith('.parquet')).map(rowsOf))).toEqual(
      rowsAfterFirst,
    );
  });

  it('does nothing for an empty batch', async () => {
    expect(await writePlaysToLake([], ports())).toEqual({
      written: 0,
      rejected: 0,
      files: [],
      marks: [],
      failures: [],
    });
  });
});
