/**
 * Lambda's stream event sources (Kafka, Kinesis), one module each, in both directions: a function turns the
 * event it is handed into neutral records and answers with the source's partial batch response (as middy's
 * event-batch-response and Powertools' batch processor do); the local runtime builds the very same event from
 * the transport's records and reads the response back. One definition of each shape serves both.
 */
import type { ConsumedRecord, RecordFailure } from '../../domain/consumed-record.ts';
import type { LogRecord } from '../../ports/transport.ts';

/** The account and region that the local runtime's events and ARNs name. */
export const localAws = { account: '000000000000', region: 'local' } as const;

/** A partial batch response: Kafka names a failed record by partition and offset, Kinesis by sequence number. */
export interface BatchResponse {
  readonly batchItemFailures: readonly { readonly itemIdentifier: unknown }[];
}

/** One event as neutral records, and how to answer for them. */
export interface StreamBatch {
  readonly records: readonly ConsumedRecord[];
  /** The partial batch response that has the source redeliver each failed partition from its failed record. */
  response(failures: readonly RecordFailure[]): BatchResponse;
}

/** What the local runtime knows of the event source it stands for, for the events it builds. */
export interface EventOrigin {
  readonly functionName: string;
  /** A real Kafka cluster's brokers: Kafka events are then self-managed Kafka ones, naming them; else MSK. */
  readonly bootstrapServers?: string | undefined;
}

export interface EventSource<Event> {
  /** The records of a parsed event (Powertools' schemas), and its batch response. */
  batch(event: Event): StreamBatch;
  /** The event Lambda hands a function for these records: what the local runtime invokes it with. */
  event(records: readonly LogRecord[], origin: EventOrigin): object;
  /**
   * The first failed offset of each partition that the function's response names. An identifier that cannot
   * be read, or names no record of the batch, throws: Lambda then fails the whole batch.
   */
  failedOffsets(response: unknown, records: readonly LogRecord[]): Map<number, number>;
}

/** Keeps the lowest offset per partition. */
export function addFailedOffset(failed: Map<number, number>, partition: number, offset: number): void {
  failed.set(partition, Math.min(offset, failed.get(partition) ?? Number.POSITIVE_INFINITY));
}

/** What Lambda does with a batch item failure it cannot read: the whole batch failed. */
export function malformedFailure(failure: unknown): Error {
  return new Error(`malformed batch item failure ${JSON.stringify(failure)}`);
}
