import { setTimeout as sleep } from 'node:timers/promises';
import {
  type KinesisClient,
  PutRecordsCommand,
  type PutRecordsCommandOutput,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import {
  type ForwardedMessage,
  type OutgoingMessage,
  type RecordForwarder,
  type TransportPublisher,
  TransportUnavailableError,
} from '../../../ports/transport.ts';
import { type StreamBinding, streamOf, unavailable } from './connection.ts';
import { encodeKinesisData } from './envelope.ts';

/** PutRecords takes at most 500 entries per call. */
export const PUT_RECORDS_LIMIT = 500;

export interface KinesisPublisherOptions {
  readonly client: KinesisClient;
  readonly streams: readonly StreamBinding[];
  /** Attempts of a PutRecords chunk whose entries partly fail (only the failed entries are resent). */
  readonly putAttempts?: number | undefined;
  readonly retryDelayMs?: ((attempt: number) => number) | undefined;
}

/**
 * Publishing and forwarding: PutRecords in chunks of at most 500, the message key as partition key. A partial
 * failure (throttled entries) resends only the failed entries, a few times; entries that still fail, or a
 * stream that cannot be reached, are a TransportUnavailableError, which ingest answers with 503. Resending
 * failed entries can reorder records of one key; nothing here depends on that order.
 * Kinesis records have no headers: a message with headers (a play's ingest request id, a dead letter's reasons)
 * is stored as the JSON envelope of envelope.ts, which the consumers unwrap.
 */
export class KinesisPublisher implements TransportPublisher, RecordForwarder {
  private readonly options: KinesisPublisherOptions;

  constructor(options: KinesisPublisherOptions) {
    this.options = options;
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    await this.put(topic, messages.map(toEntry));
  }

  async forward(topic: string, messages: readonly ForwardedMessage[]): Promise<void> {
    await this.put(topic, messages.map(forwardedEntry));
  }

  private async put(topic: string, entries: readonly PutRecordsRequestEntry[]): Promise<void> {
    const stream = streamOf(this.options.streams, topic);
    for (let start = 0; start < entries.length; start += PUT_RECORDS_LIMIT) {
      await this.putChunk(stream, entries.slice(start, start + PUT_RECORDS_LIMIT));
    }
  }

  private async putChunk(stream: string, entries: PutRecordsRequestEntry[]): Promise<void> {
    const attempts = this.options.putAttempts ?? 4;
    const delay = this.options.retryDelayMs ?? ((attempt: number) => 100 * 2 ** (attempt - 1));
    let pending = entries;
    let lastErrors = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let answer: PutRecordsCommandOutput;
      try {
        answer = await this.options.client.send(
          new PutRecordsCommand({ StreamName: stream, Records: pending }),
        );
      } catch (error) {
        throw unavailable(`Kinesis stream ${stream}`, error);
      }
      const results = answer.Records ?? [];
      if (!answer.FailedRecordCount && results.length === pending.length) return;
      // Results are positional: the i-th result is the i-th entry's.
      const failed = pending.filter(
        (_, index) => results[index]?.ErrorCode || !results[index]?.SequenceNumber,
      );
      if (failed.length === 0) return;
      lastErrors = [
        ...new Set(results.flatMap((result) => (result.ErrorCode ? [result.ErrorCode] : []))),
      ].join(', ');
      pending = failed;
      if (attempt < attempts) await sleep(delay(attempt));
    }
    throw new TransportUnavailableError(
      `Kinesis stream ${stream}: ${pending.length} records still failed after ${attempts} attempts (${lastErrors || 'no sequence number'})`,
    );
  }
}

function toEntry(message: OutgoingMessage): PutRecordsRequestEntry {
  return { PartitionKey: message.key || '-', Data: encodeKinesisData(message.value, message.headers) };
}

/** A consumed record sent on: its key as partition key, its value byte for byte, with its headers (the reasons). */
function forwardedEntry(message: ForwardedMessage): PutRecordsRequestEntry {
  const key = message.key && message.key.length > 0 ? Buffer.from(message.key).toString() : '-';
  return { PartitionKey: key, Data: encodeKinesisData(message.value, message.headers) };
}
