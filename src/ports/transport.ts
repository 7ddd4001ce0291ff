import { UnavailableError } from './unavailable.ts';

/**
 * Event transport: where ingest hands accepted plays and where consumer functions read them.
 * Implementations: embedded (in-process, durable on disk), Kafka, Kinesis; the same port for each.
 */
export interface OutgoingMessage {
  readonly key: string;
  readonly value: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface TransportPublisher {
  /** Resolves only once the transport holds every message durably; rejects if it could not. */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
}

/** A consumed record sent on (to the dead-letter topic): key and value byte for byte, headers as given. */
export interface ForwardedMessage {
  readonly key: Uint8Array | undefined;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

export interface RecordForwarder {
  /** Like `publish`: resolves only once the transport holds every message durably. */
  forward(topic: string, messages: readonly ForwardedMessage[]): Promise<void>;
}

/** Thrown when the transport cannot take messages right now; ingest maps it to 503. */
export class TransportUnavailableError extends UnavailableError {
  override name = 'TransportUnavailableError';
}

/** One record as a consumer sees it; `value` and `key` as raw bytes, as Kafka holds them. */
export interface LogRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Uint8Array | undefined;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Kinesis only: the record's sequence number (a decimal string too large for a number). `offset` is then
   * a position local to the consumer (src/adapters/transport/kinesis/consumer.ts) and this is the record's
   * identity.
   */
  readonly sequenceNumber?: string;
  /**
   * Kinesis only: why the record's data, which starts as a headers envelope, is not one (src/adapters/transport/
   * kinesis/envelope.ts); `value` is then the data exactly as it came, and consumers reject it with this reason.
   */
  readonly malformed?: string;
}

/**
 * The consuming side of a partitioned log, per consumer group: what the local event-source
 * poller drives. Positions start at the group's committed offsets.
 */
export interface LogConsumer {
  /** Up to `maxRecords` records past the current positions; waits up to `maxWaitMs` for the first. */
  fetch(maxRecords: number, maxWaitMs: number): Promise<LogRecord[]>;
  /** Durably records that every offset below `nextOffset` of this partition is done. */
  commit(partition: number, nextOffset: number): Promise<void>;
  /**
   * Forgets every record fetched and not committed: the next fetch starts again at the committed offsets.
   * After a failed delivery, so that records fetched but not processed are fetched again, never skipped.
   */
  rewind(): Promise<void>;
  close(): Promise<void>;
}

/** Which Lambda event source a transport stands for: the shape of the events its consumers are handed. */
export type EventSourceKind = 'kafka' | 'kinesis';

export interface Transport extends TransportPublisher, RecordForwarder {
  /** Kafka (MSK-shaped events, offsets) or Kinesis (Kinesis-shaped events, sequence numbers). */
  readonly eventSource: EventSourceKind;
  /**
   * A real Kafka cluster's bootstrap servers: its consumers get Lambda's self-managed Kafka events, which name
   * them. Absent (the embedded transport): MSK-shaped events.
   */
  readonly bootstrapServers?: string;
  consumer(topic: string, group: string): Promise<LogConsumer>;
  /**
   * How many records of each partition of `topic` the consumer group has not committed yet (GET /v1/pipeline);
   * absent where the transport has no such notion (Kinesis).
   */
  consumerLag?(topic: string, group: string): Promise<PartitionLag[]>;
  close(): Promise<void>;
  describe(): string;
}

export interface PartitionLag {
  readonly partition: number;
  readonly lag: number;
}
