/**
 * The chart rules' deduplication as SQL: of an event_id's deliveries, the first by source position
 * (source_topic, source_partition, source_offset) is the one that counts.
 *
 * A window over every row (`row_number() OVER (PARTITION BY event_id …)`) holds all of them, every column
 * selected, until the last is read: ~240 bytes a row, 170 MB for an hour of 720,000 plays, 1.6 GB for a day of
 * 10 M. Here only the rows whose 64-bit fingerprint another row shares (redeliveries, ~5%, and the rare
 * collision) go through the window, by event_id; finding them groups one 64-bit column, and the rest stream past.
 * The source is read three times, so it must be cheap to read again: a `read_parquet` or a table, not a query
 * (docs/benchmarks.md, "Chart jobs' peaks").
 */

/**
 * The fingerprint of a row's event_id, when the source has no column of it: DuckDB's own `hash`, which may
 * differ between DuckDB versions but is only compared within one query. Fingerprints kept in the lake (rollup
 * keys) are md5's lower half instead, a fixed algorithm; md5 here made a day's query three times slower.
 */
export const EVENT_FINGERPRINT = 'hash(event_id)';

export interface DeliverySource {
  /** A relation with event_id and the source position columns. */
  readonly from: string;
  /** The columns to select, comma-separated. */
  readonly columns: string;
  /** An expression of the event_id's 64-bit fingerprint (default EVENT_FINGERPRINT). */
  readonly fingerprint?: string;
}

/** Each event_id's first delivery: `columns` of one row per event_id. */
export function firstDeliveries(source: DeliverySource): string {
  return deliveries(source, 'first');
}

/** Every delivery, `columns` and `delivery` (1 for an event_id's first, 2, 3, … for the later ones). */
export function numberedDeliveries(source: DeliverySource): string {
  return deliveries(source, 'numbered');
}

type Shape = 'first' | 'numbered';

function deliveries({ from, columns, fingerprint = EVENT_FINGERPRINT }: DeliverySource, shape: Shape) {
  const order =
    'row_number() OVER (PARTITION BY event_id ORDER BY source_topic, source_partition, source_offset)';
  const shared = `${fingerprint} IN (SELECT fingerprint FROM shared)`;
  const redelivered =
    shape === 'first'
      ? `SELECT ${columns} FROM ${from} WHERE ${shared} QUALIFY ${order} = 1`
      : `SELECT ${columns}, ${order} AS delivery FROM ${from} WHERE ${shared}`;
  return `
    WITH shared AS MATERIALIZED (SELECT ${fingerprint} AS fingerprint FROM ${from} GROUP BY ALL HAVING count(*) > 1)
    SELECT ${columns}${shape === 'first' ? '' : ', 1 AS delivery'} FROM ${from} WHERE NOT ${shared}
    UNION ALL
    ${redelivered}`;
}
