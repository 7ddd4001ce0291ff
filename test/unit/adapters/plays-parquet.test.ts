import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePlaysParquet } from '../../../src/adapters/duckdb/plays-parquet.ts';
import { encodePlaysWithHyparquet } from '../../../src/adapters/parquet/plays-hyparquet.ts';
import { type LakePlayRow, lakePlayColumns } from '../../../src/domain/lake-row.ts';
import { playColumnsOf } from '../../../src/domain/play-columns.ts';
import { queryDuckDb, readPlayRows, sqlText, type TempDir, tempDir } from '../support/temp.ts';

/** The lake contract (docs/contracts.md, "Data lake layout"), written out by hand: name and DuckDB type, in order. */
const contract = [
  ['event_id', 'VARCHAR'],
  ['user_id', 'VARCHAR'],
  ['song_id', 'VARCHAR'],
  ['region', 'VARCHAR'],
  ['played_at', 'TIMESTAMP WITH TIME ZONE'],
  ['ms_played', 'INTEGER'],
  ['device', 'VARCHAR'],
  ['session_id', 'VARCHAR'],
  ['source_topic', 'VARCHAR'],
  ['source_partition', 'INTEGER'],
  ['source_offset', 'BIGINT'],
];

const full: LakePlayRow = {
  event_id: '3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3c',
  user_id: 'user-0042',
  song_id: 'song-000017',
  region: 'us',
  played_at: '2026-11-20T10:12:31.456Z',
  ms_played: 86_400_000,
  device: 'ios',
  session_id: 'sess-7f3a',
  source_topic: 'song-plays',
  source_partition: 2,
  // Beyond 32 bits: must survive as a BIGINT.
  source_offset: 2 ** 40 + 7,
};
const bare: LakePlayRow = {
  event_id: '9c2d4e6f-1a3b-4c5d-8e7f-0a1b2c3d4e5f',
  user_id: 'user-0107',
  song_id: 'song-000003',
  region: 'gb',
  played_at: '2026-11-20T00:00:00.000Z',
  ms_played: 0,
  source_topic: 'song-plays',
  source_partition: 0,
  source_offset: 0,
};

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('plays-parquet');
});
afterAll(async () => {
  await dir.remove();
});

/** Both encoders of `plays/` files: the lake-writer's (hyparquet-writer) and DuckDB's (Spark probes, bench). */
const encoders = [
  {
    name: 'encodePlaysWithHyparquet',
    encode: (rows: readonly LakePlayRow[]) => encodePlaysWithHyparquet(playColumnsOf(rows)),
  },
  { name: 'encodePlaysParquet (DuckDB)', encode: encodePlaysParquet },
] as const;

describe.each(encoders)('$name', ({ name, encode }) => {
  async function encodeToFile(file: string, rows: readonly LakePlayRow[]) {
    const path = join(dir.path, `${name.replace(/\W/g, '-')}-${file}`);
    await writeFile(path, await encode(rows));
    return path;
  }

  it('writes exactly the columns and types of the lake contract, in order', async () => {
    const file = await encodeToFile('schema.parquet', [full, bare]);
    const described = await queryDuckDb(`DESCRIBE SELECT * FROM read_parquet(${sqlText(file)})`);
    expect(described.map((column) => [column.column_name, column.column_type])).toEqual(contract);
    // src/domain/lake-row.ts declares the same list (its types also carry NOT NULL, which DESCRIBE does not show).
    expect(lakePlayColumns.map(([name, type]) => [name, type.replace(' NOT NULL', '')])).toEqual(
      contract.map(([name, type]) => [name, type === 'TIMESTAMP WITH TIME ZONE' ? 'TIMESTAMPTZ' : type]),
    );
  });

  it('stores played_at as a UTC-adjusted microsecond timestamp', async () => {
    const file = await encodeToFile('timestamp.parquet', [full]);
    const [column] = await queryDuckDb(
      `SELECT type, logical_type FROM parquet_schema(${sqlText(file)}) WHERE name = 'played_at'`,
    );
    expect(column?.type).toBe('INT64');
    expect(String(column?.logical_type)).toMatch(/isAdjustedToUTC=1/);
    expect(String(column?.logical_type)).toMatch(/MICROS=MicroSeconds/);
  });

  it('round-trips every value: the played_at instant to the millisecond, nulls for absent optional fields', async () => {
    const file = await encodeToFile('values.parquet', [full, bare]);
    const rows = await readPlayRows([file]);
    expect(rows).toEqual([{ ...bare, device: null, session_id: null }, { ...full }]);
    const [instant] = await queryDuckDb(
      `SELECT epoch_ms(played_at) AS ms FROM read_parquet(${sqlText(file)}) WHERE event_id = ${sqlText(full.event_id)}`,
    );
    expect(Number(instant?.ms)).toBe(Date.UTC(2026, 10, 20, 10, 12, 31, 456));
  });

  it('encodes an empty batch as a valid file with the same schema and no rows', async () => {
    const file = await encodeToFile('empty.parquet', []);
    const [count] = await queryDuckDb(`SELECT count(*) AS n FROM read_parquet(${sqlText(file)})`);
    expect(Number(count?.n)).toBe(0);
    const described = await queryDuckDb(`DESCRIBE SELECT * FROM read_parquet(${sqlText(file)})`);
    expect(described.map((column) => column.column_name)).toEqual(contract.map(([name]) => name));
  });

  it('keeps text exactly, quotes and non-ASCII included', async () => {
    const odd = {
      ...bare,
      user_id: 'o\'brien "quoted" ünïcødé 🎵',
      song_id: 'song,with;separators',
      source_offset: 1,
    };
    const rows = await readPlayRows([await encodeToFile('text.parquet', [odd])]);
    expect(rows[0]).toMatchObject({ user_id: odd.user_id, song_id: odd.song_id });
  });

  it('keeps text of every length around the one a byte holds, ASCII and not', async () => {
    // A length takes a byte below 128 and more from there; non-ASCII text is longer in bytes than in characters.
    for (const length of [0, 1, 126, 127, 128, 129, 300]) {
      const rows = [
        { ...bare, event_id: 'id-a', user_id: 'u'.repeat(length), session_id: 's', source_offset: 1 },
        { ...bare, event_id: 'id-b', user_id: 'v', session_id: `é${'x'.repeat(length)}`, source_offset: 2 },
      ];
      const read = await readPlayRows([await encodeToFile(`length-${length}.parquet`, rows)]);
      expect(read.map((row) => [row.event_id, row.user_id, row.session_id])).toEqual(
        rows.map((row) => [row.event_id, row.user_id, row.session_id]),
      );
    }
  });
});

describe('the two encoders', () => {
  it('write files that read back as the same rows in the same order, with the same Parquet schema', async () => {
    const rows = [full, bare, { ...bare, event_id: '0-first', played_at: full.played_at, source_offset: 9 }];
    const paths = await Promise.all(
      encoders.map(async ({ encode }, i) => {
        const path = join(dir.path, `same-${i}.parquet`);
        await writeFile(path, await encode(rows));
        return path;
      }),
    );
    const [js, duck] = await Promise.all(paths.map((path) => readPlayRows([path])));
    expect(js).toEqual(duck);
    const schemaOf = (path: string) =>
      queryDuckDb(
        `SELECT name, type, converted_type, logical_type, repetition_type FROM parquet_schema(${sqlText(path)}) WHERE name <> 'duckdb_schema'`,
      );
    expect(await schemaOf(paths[0]!)).toEqual(await schemaOf(paths[1]!));
    const order = (path: string) =>
      queryDuckDb(`SELECT event_id FROM read_parquet(${sqlText(path)})`).then((r) =>
        r.map((x) => x.event_id),
      );
    expect(await order(paths[0]!)).toEqual(await order(paths[1]!));
  });

  it('store plays in the same order when many share a millisecond, within an hour and across days', async () => {
    const instants = [
      Date.UTC(2026, 10, 20, 10, 59, 59, 999),
      Date.UTC(2026, 10, 20, 10),
      Date.UTC(2026, 10, 20, 10, 30),
    ];
    const row = (i: number, base: number): LakePlayRow => ({
      ...bare,
      // Ids out of their played_at order and out of offset order, so that only the sort puts them in place.
      event_id: `${String((i * 7_919) % 1_009).padStart(8, '0')}-0000-4000-8000-000000000000`,
      played_at: new Date(base + instants[i % instants.length]!).toISOString(),
      source_offset: i,
    });
    for (const [name, base] of [
      ['hour', 0],
      ['days', (i: number) => (i % 2) * 86_400_000 * 3],
    ] as const) {
      const rows = Array.from({ length: 600 }, (_, i) => row(i, typeof base === 'number' ? base : base(i)));
      const paths = await Promise.all(
        encoders.map(async ({ encode }, i) => {
          const path = join(dir.path, `ties-${name}-${i}.parquet`);
          await writeFile(path, await encode(rows));
          return path;
        }),
      );
      const stored = (path: string) =>
        queryDuckDb(`SELECT event_id, epoch_ms(played_at) AS ms FROM read_parquet(${sqlText(path)})`).then(
          (r) => r.map((x) => `${x.ms} ${x.event_id}`),
        );
      const expected = rows
        .map((r) => `${Date.parse(r.played_at)} ${r.event_id}`)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(await stored(paths[0]!)).toEqual(expected);
      expect(await stored(paths[1]!)).toEqual(expected);
    }
  });

  it('agree on a file of thousands of rows: dictionaries, compressed and uncompressed pages, nulls, non-ASCII', async () => {
    // Few regions, devices and songs (dictionary-encoded), unique event ids, users and sessions (plain), every
    // value column above the size from which pages are compressed, some devices and sessions absent.
    const regions = ['us', 'gb', 'de', 'fr'];
    const rows: LakePlayRow[] = Array.from({ length: 3_000 }, (_, i) => ({
      event_id: `${String((i * 7919) % 3_001).padStart(8, '0')}-0000-4000-8000-000000000000`,
      user_id: i % 11 === 0 ? `ünïcødé-${i}` : `user-${i}`,
      song_id: `song-${(i * i) % 97}`,
      region: regions[i % regions.length]!,
      played_at: new Date(Date.UTC(2026, 10, 20, 10) + ((i * 104_729) % 3_600_000)).toISOString(),
      ms_played: (i * 31_337) % 300_000,
      ...(i % 7 === 0 ? {} : { device: ['ios', 'web', 'android'][i % 3]! }),
      ...(i % 5 === 0 ? {} : { session_id: `session-${i}` }),
      source_topic: 'song-plays',
      source_partition: 1,
      source_offset: 2 ** 33 + i,
    }));
    const paths = await Promise.all(
      encoders.map(async ({ encode }, i) => {
        const path = join(dir.path, `large-${i}.parquet`);
        await writeFile(path, await encode(rows));
        return path;
      }),
    );
    const [js, duck] = await Promise.all(paths.map((path) => readPlayRows([path])));
    expect(js).toHaveLength(rows.length);
    expect(js).toEqual(duck);
    // Stored in the same order (played_at, then event_id).
    const order = (path: string) =>
      queryDuckDb(`SELECT event_id FROM read_parquet(${sqlText(path)})`).then((r) =>
        r.map((x) => x.event_id),
      );
    expect(await order(paths[0]!)).toEqual(await order(paths[1]!));
    const encodings = await queryDuckDb(
      `SELECT path_in_schema AS name, encodings, compression FROM parquet_metadata(${sqlText(paths[0]!)})`,
    );
    // Both paths of the encoder are exercised.
    expect(encodings.find((column) => column.name === 'region')).toMatchObject({
      encodings: expect.stringContaining('RLE_DICTIONARY'),
      compression: 'UNCOMPRESSED',
    });
    expect(encodings.find((column) => column.name === 'event_id')).toMatchObject({
      encodings: 'PLAIN',
      compression: 'ZSTD',
    });
  });
});
