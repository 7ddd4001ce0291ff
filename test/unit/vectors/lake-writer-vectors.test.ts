/**
 * The golden vectors (test/vectors/plays.json) through the real lake-writer use case: the rows it writes
 * (values and DuckDB types) and the rejects it records must be exactly the vectors'. The Spark job checks
 * itself against the same file (spark/tests), so both writers honour one lake contract.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tallyTopSongs } from '../../../src/adapters/duckdb/chart-query.ts';
import { LocalFolderStore } from '../../../src/adapters/object-store/local-folder.ts';
import { encodePlaysWithHyparquet } from '../../../src/adapters/parquet/plays-hyparquet.ts';
import { windowStartingAt } from '../../../src/domain/charts.ts';
import type { ConsumedRecord } from '../../../src/domain/consumed-record.ts';
import { defaultRegions } from '../../../src/domain/regions.ts';
import { compactHour } from '../../../src/use-cases/compact-plays.ts';
import { listPlaysFiles } from '../../../src/use-cases/list-plays-files.ts';
import { writePlaysToLake } from '../../../src/use-cases/write-plays-to-lake.ts';
import { compactionPorts } from '../../support/compaction.ts';
import { queryDuckDb, sqlText, type TempDir, tempDir } from '../support/temp.ts';

interface VectorMessage {
  id: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string;
  expect: 'row' | 'row-duplicate' | 'reject';
}
interface Vectors {
  regions: string[];
  messages: VectorMessage[];
  expected_rows: Record<string, unknown>[];
  expected_rejects: {
    partition: number;
    offset: number;
    received_at: string;
    errors: { field: string; message: string | null }[];
  }[];
  play_files: (VectorFile & { hour: string })[];
  reject_files: VectorFile[];
  dedup: { spark_drops: { partition: number; offset: number; event_id: string }[] };
}
/** A lake file the vectors expect: its folder, source partition, the first offset that names it, its rows. */
interface VectorFile {
  dt: string;
  partition: number;
  first_offset: number;
  offsets: number[];
}

const vectors = JSON.parse(
  await readFile(resolve(import.meta.dirname, '../../vectors/plays.json'), 'utf8'),
) as Vectors;
const topic = 'song-plays';
const fileName = (file: VectorFile, extension: string) =>
  `lake-writer-${topic}-${file.partition}-${String(file.first_offset).padStart(12, '0')}.${extension}`;

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir('vectors');
});
afterEach(async () => {
  await dir.remove();
});

async function writeVectors(): Promise<string> {
  const lakeDir = join(dir.path, 'lake');
  const records: ConsumedRecord[] = vectors.messages.map((message) => ({
    topic,
    partition: message.partition,
    offset: message.offset,
    timestamp: message.timestamp,
    value: message.value,
  }));
  const summary = await writePlaysToLake(records, {
    lake: new LocalFolderStore(lakeDir),
    regions: vectors.regions,
    writer: 'lake-writer',
    encodePlays: encodePlaysWithHyparquet,
    clock: () => new Date(vectors.messages[0]!.timestamp),
  });
  expect(summary.failures).toEqual([]);
  return lakeDir;
}

describe('golden vectors through the lake-writer', () => {
  it('are self-consistent: offsets in order per partition, one outcome per message', () => {
    const next = new Map<number, number>();
    for (const message of vectors.messages) {
      expect(message.offset).toBe(next.get(message.partition) ?? 0);
      next.set(message.partition, message.offset + 1);
    }
    const rows = vectors.messages.filter((message) => message.expect !== 'reject');
    expect(rows.length).toBe(vectors.expected_rows.length);
    expect(vectors.messages.length - rows.length).toBe(vectors.expected_rejects.length);
    expect(vectors.dedup.spark_drops.length).toBe(
      vectors.messages.filter((message) => message.expect === 'row-duplicate').length,
    );
  });

  it('assume the default regions, and hold a valid play of each', () => {
    // spark/tests/test_validation.py checks the Python default list against the same vectors.
    expect(vectors.regions).toEqual([...defaultRegions]);
    expect(new Set(vectors.expected_rows.map((row) => row.region))).toEqual(new Set(defaultRegions));
  });

  it('writes exactly the expected rows, with the contract types', async () => {
    const lakeDir = await writeVectors();
    const glob = sqlText(`${lakeDir}/plays/**/*.parquet`);
    const rows = await queryDuckDb(
      `SELECT event_id, user_id, song_id, region,
              strftime(played_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS played_at,
              ms_played, device, session_id, source_topic, source_partition, source_offset
       FROM read_parquet(${glob}) ORDER BY source_partition, source_offset`,
    );
    expect(rows.map((row) => ({ ...row, source_offset: Number(row.source_offset) }))).toEqual(
      vectors.expected_rows.map((row) => ({ ...row, source_topic: topic })),
    );

    const types = await queryDuckDb(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${glob}, hive_partitioning = false))`,
    );
    // An object comparison ignores key order; Entries keep the column order the contract states.
    expect(types.map((t) => [t.column_name, t.column_type])).toEqual(
      Object.entries({
        event_id: 'VARCHAR',
        user_id: 'VARCHAR',
        song_id: 'VARCHAR',
        region: 'VARCHAR',
        played_at: 'TIMESTAMP WITH TIME ZONE',
        ms_played: 'INTEGER',
        device: 'VARCHAR',
        session_id: 'VARCHAR',
        source_topic: 'VARCHAR',
        source_partition: 'INTEGER',
        source_offset: 'BIGINT',
      }),
    );
    // The Parquet schema itself: every column OPTIONAL, played_at INT64 TIMESTAMP(MICROS, UTC).
    const schema = await queryDuckDb(
      `SELECT DISTINCT name, type, repetition_type, logical_type::VARCHAR AS logical
       FROM parquet_schema(${glob}) WHERE name <> 'duckdb_schema' AND num_children IS NULL`,
    );
    expect(schema.every((column) => column.repetition_type === 'OPTIONAL')).toBe(true);
    expect(schema.find((column) => column.name === 'played_at')).toMatchObject({ type: 'INT64' });
    expect(String(schema.find((column) => column.name === 'played_at')?.logical)).toMatch(
      /TimestampType\(isAdjustedToUTC=1, unit=TimeUnit\(MILLIS=<null>, MICROS=MicroSeconds\(\), NANOS=<null>\)\)/,
    );
  });

  it('files each row under plays/dt=…/hour=… of its played_at in UTC, in the expected files', async () => {
    const lakeDir = await writeVectors();
    const rows = await queryDuckDb(
      `SELECT source_partition, source_offset, filename AS file,
              strftime(played_at AT TIME ZONE 'UTC', 'dt=%Y-%m-%d/hour=%H') AS folder
       FROM read_parquet(${sqlText(`${lakeDir}/plays/**/*.parquet`)}, filename = true)
       ORDER BY source_partition, source_offset`,
    );
    expect(rows.length).toBe(vectors.expected_rows.length);
    for (const row of rows) expect(String(row.file)).toContain(`/plays/${row.folder}/lake-writer-${topic}-`);
    const offsetsByFile = Object.groupBy(rows, (row) => String(row.file).slice(lakeDir.length + 1));
    expect(
      Object.entries(offsetsByFile).map(([file, fileRows]) => [
        file,
        fileRows?.map((row) => Number(row.source_offset)),
      ]),
    ).toEqual(
      expect.arrayContaining(
        vectors.play_files.map((file) => [
          `plays/dt=${file.dt}/hour=${file.hour}/${fileName(file, 'parquet')}`,
          file.offsets,
        ]),
      ),
    );
    expect(Object.keys(offsetsByFile).length).toBe(vectors.play_files.length);
  });

  it('files each reject under rejects/dt=… of the date it reached the transport, in the expected files', async () => {
    const lakeDir = await writeVectors();
    const rejectsDir = join(lakeDir, 'rejects');
    const files = (await readdir(rejectsDir, { recursive: true })).filter((f) => f.endsWith('.jsonl')).sort();
    const offsets = await Promise.all(
      files.map(async (file) =>
        (await readFile(join(rejectsDir, file), 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { offset: number }).offset),
      ),
    );
    expect(files.map((file, index) => [file, offsets[index]])).toEqual(
      vectors.reject_files
        .map((file) => [`dt=${file.dt}/${fileName(file, 'jsonl')}`, file.offsets])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
  });

  it('records exactly the expected rejects', async () => {
    const lakeDir = await writeVectors();
    const rejectsDir = join(lakeDir, 'rejects');
    const files = (await readdir(rejectsDir, { recursive: true })).filter((f) => f.endsWith('.jsonl'));
    const lines = (
      await Promise.all(
        files.map(async (file) => (await readFile(join(rejectsDir, file), 'utf8')).split('\n')),
      )
    )
      .flat()
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const byPosition = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      Number(a.partition) - Number(b.partition) || Number(a.offset) - Number(b.offset);
    lines.sort(byPosition);
    const values = new Map(vectors.messages.map((m) => [`${m.partition}/${m.offset}`, m.value]));
    expect(lines.map((line) => Object.keys(line))).toEqual(
      lines.map(() => ['topic', 'partition', 'offset', 'received_at', 'errors', 'value']),
    );
    expect(
      lines.map((line) => ({
        ...line,
        // A message of null in the vectors is writer-specific (V8's JSON.parse text): only its start is shared.
        errors: (line.errors as { field: string; message: string }[]).map((error) =>
          error.field === '(record)'
            ? {
                field: error.field,
                message: error.message.startsWith('value is not valid JSON') ? null : error.message,
              }
            : error,
        ),
      })),
    ).toEqual(
      vectors.expected_rejects.map((reject) => ({
        topic,
        ...reject,
        value: values.get(`${reject.partition}/${reject.offset}`),
      })),
    );
  });

  it('compact to the same rows less the later deliveries Spark drops, with the same charts', async () => {
    const lakeDir = await writeVectors();
    const lake = new LocalFolderStore(lakeDir);
    const hours = [...new Set(vectors.play_files.map((file) => `${file.dt}T${file.hour}:00:00.000Z`))];
    const chartsOf = async (hour: Date) => {
      const window = windowStartingAt('hour', hour);
      const keys = (await listPlaysFiles(lake, window)).map((object) => object.key);
      return tallyTopSongs(await lake.localCopies(keys), window);
    };
    const before = await Promise.all(hours.map((hour) => chartsOf(new Date(hour))));
    for (const hour of hours) {
      await compactHour(
        new Date(hour),
        compactionPorts(lake, () => new Date('2026-11-03T00:00:00Z')),
      );
    }
    expect(await Promise.all(hours.map((hour) => chartsOf(new Date(hour))))).toEqual(before);
    const compacted = await queryDuckDb(
      `SELECT source_partition, source_offset FROM read_parquet(${sqlText(`${lakeDir}/plays/*/*/_compacted/*.parquet`)})
       ORDER BY source_partition, source_offset`,
    );
    const dropped = new Set(vectors.dedup.spark_drops.map((drop) => `${drop.partition}-${drop.offset}`));
    expect(compacted.map((row) => `${row.source_partition}-${Number(row.source_offset)}`)).toEqual(
      vectors.expected_rows
        .map((row) => `${row.source_partition}-${row.source_offset}`)
        .filter((position) => !dropped.has(position)),
    );
  });
});
