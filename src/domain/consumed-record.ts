/**
 * What a consumer function gets from its event source and what it answers, whatever the source (Kafka,
 * Kinesis, the embedded transport): src/adapters/event-sources turns each Lambda event into these records and
 * these failures into the source's partial batch response.
 */

/** A record as a consumer function receives it (value already decoded). */
export interface ConsumedRecord {
  readonly topic: string;
  /** Kafka: the partition. Kinesis: the shard's index (`shardId-000000000002` → 2). */
  readonly partition: number;
  /** Kafka: the offset. Kinesis: `sequenceNumberOffset(sequenceNumber)`, what `source_offset` holds. */
  readonly offset: number;
  /**
   * Kinesis only: the record's sequence number. It then orders the shard's records and names the files
   * (a file is named after the sequence number of its first record, so a retried batch, which Kinesis
   * restarts from the first failed record, writes the same names again).
   */
  readonly sequenceNumber?: string;
  /** When the transport received it (ms since epoch): the clock that validation uses, so replays judge alike. */
  readonly timestamp: number;
  readonly value: string;
  /** The record's headers, decoded: Kafka's and the embedded transport's own, Kinesis's from its envelope. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Why the transport's framing of the record could not be read (a Kinesis envelope that is not one): `value` is
   * then the record as it came, and the consumer rejects it with this reason.
   */
  readonly malformed?: string;
}

/**
 * The record header that carries the id of the ingest request that accepted the event (API Gateway's request id),
 * so that a consumer's logs name the requests whose events it wrote (docs/observability.md, "Correlation").
 */
export const INGEST_REQUEST_ID_HEADER = 'ingest-request-id';

/** The ingest request ids of a batch's records, each once, in the order first met; records without one add none. */
export function ingestRequestIds(records: readonly ConsumedRecord[]): string[] {
  return [...new Set(records.flatMap((record) => record.headers?.[INGEST_REQUEST_ID_HEADER] ?? []))];
}

/**
 * The first record of a topic-partition that the function could not process, and why: the event source
 * redelivers the partition from it, and counts the records before it as done.
 */
export interface RecordFailure {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly reason: string;
}

/**
 * The failures of a batch that failed as a whole (its store out of reach): each topic-partition is redelivered
 * from its earliest record in the batch.
 */
export function wholeBatchFailed(records: readonly ConsumedRecord[], reason: string): RecordFailure[] {
  const byPartition = Map.groupBy(records, (record) => `${record.topic}-${record.partition}`);
  return [...byPartition.values()].map((partition) => {
    const first = partition.reduce((a, b) => (b.offset < a.offset ? b : a));
    return { topic: first.topic, partition: first.partition, offset: first.offset, reason };
  });
}
