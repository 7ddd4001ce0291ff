import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/adapters/catalog/seeded-random.ts';
import { withDuckDb } from '../../../src/adapters/duckdb/duckdb.ts';
import { firstDeliveries, numberedDeliveries } from '../../../src/adapters/duckdb/first-deliveries.ts';

interface Delivery {
  readonly event_id: string;
  readonly source_topic: string;
  readonly source_partition: number;
  readonly source_offset: number;
}

/** Seeded deliveries: a third of the events delivered again, some three times, across topics and partitions. */
function deliveriesOf(seed: number): Delivery[] {
  const random = createRandom(seed);
  const events = Array.from({ length: 300 }, () => random.uuid());
  const rows: Delivery[] = [];
  for (const [index, event_id] of events.entries()) {
    const copies = random.chance(0.33) ? random.int(2, 3) : 1;
    for (let copy = 0; copy < copies; copy++) {
      rows.push({
        event_id,
        source_topic: random.chance(0.9) ? 'song-plays' : 'song-plays-replay',
        source_partition: random.int(0, 2),
        // Unique per row; a redelivery may sit at a lower position than the copy listed first.
        source_offset: random.int(0, 1_000) * 1_000 + index * 3 + copy,
      });
    }
  }
  return rows;
}

/** The rules, independently: deliveries of an event_id ranked by (topic, partition, offset). */
function expectedNumbers(rows: readonly Delivery[]): Map<string, number> {
  const position = (row: Delivery) => [row.source_topic, row.source_partition, row.source_offset] as const;
  const numbers = new Map<string, number>();
  for (const group of Map.groupBy(rows, (row) => row.event_id).values()) {
    const sorted = group.toSorted((a, b) => {
      const [x, y] = [position(a), position(b)];
      return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] - y[1] || x[2] - y[2];
    });
    for (const [index, row] of sorted.entries()) numbers.set(key(row), index + 1);
  }
  return numbers;
}

const key = (row: Delivery) => `${row.source_topic}/${row.source_partition}/${row.source_offset}`;

async function inDuckDb<T>(rows: readonly Delivery[], query: (table: string) => string): Promise<T[]> {
  return withDuckDb(async (connection) => {
    const values = rows
      .map(
        (row) =>
          `('${row.event_id}', '${row.source_topic}', ${row.source_partition}, ${row.source_offset}::BIGINT)`,
      )
      .join(', ');
    await connection.run(`CREATE OR REPLACE TEMP TABLE deliveries AS
      SELECT * FROM (VALUES ${values}) t(event_id, source_topic, source_partition, source_offset)`);
    return (await connection.runAndReadAll(query('deliveries'))).getRowObjectsJS() as T[];
  });
}

// The real fingerprint, and ones that many ids share: the rows of different events under one fingerprint must
// still be told apart by event_id.
const fingerprints = [undefined, 'hash(event_id) % 7', '42'];
const columns = 'event_id, source_topic, source_partition, source_offset';

describe.each(fingerprints)('deliveries by source position (fingerprint %s)', (fingerprint) => {
  const rows = deliveriesOf(7);
  const expected = expectedNumbers(rows);
  const source = (from: string) => ({ from, columns, ...(fingerprint ? { fingerprint } : {}) });

  it('numbers every delivery of an event_id: 1 for its first, then 2, 3, …', async () => {
    const numbered = await inDuckDb<Delivery & { delivery: bigint | number }>(rows, (table) =>
      numberedDeliveries(source(table)),
    );
    expect(numbered).toHaveLength(rows.length);
    expect(new Map(numbered.map((row) => [key(row), Number(row.delivery)]))).toEqual(expected);
  });

  it('keeps exactly the first delivery of each event_id', async () => {
    const first = await inDuckDb<Delivery>(rows, (table) => firstDeliveries(source(table)));
    const wanted = [...expected].filter(([, number]) => number === 1).map(([position]) => position);
    expect(first.map(key).toSorted()).toEqual(wanted.toSorted());
    expect(new Set(first.map((row) => row.event_id)).size).toBe(first.length);
  });
});
