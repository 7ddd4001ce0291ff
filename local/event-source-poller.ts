import { setTimeout as sleep } from 'node:timers/promises';
import { eventSources } from '../src/adapters/event-sources/stream-events.ts';
import type { Metrics } from '../src/ports/metrics.ts';
import type { EventSourceKind, LogConsumer, LogRecord, RecordForwarder } from '../src/ports/transport.ts';
import type { FunctionName, TopicTrigger } from '../src/topology.ts';
import { logger } from '../src/wiring/logger.ts';

export type PollerOptions = PollerSettings & PollerInvoker;

/**
 * How the poller invokes its function with a batch: `invoke` with the event its source would hand the function,
 * built here; or `invokeRecords` with the batch's records, for a function that runs in a thread of its own and
 * builds its event there (function-thread.ts), so that building it does not hold this thread either.
 */
export type PollerInvoker =
  | { readonly invoke: (event: unknown) => Promise<unknown>; readonly invokeRecords?: never }
  | { readonly invokeRecords: (records: readonly LogRecord[]) => Promise<unknown>; readonly invoke?: never };

export interface PollerSettings {
  readonly functionName: FunctionName;
  readonly trigger: TopicTrigger;
  readonly consumer: LogConsumer;
  /**
   * Where records go after `trigger.maxAttempts` failed attempts, or once they failed past `maxRecordAgeSeconds`,
   * as they were, with the reason in headers.
   */
  readonly deadLetters: { readonly publisher: RecordForwarder; readonly topic: string };
  /** Counts the records sent to the dead-letter topic (in the cloud, Lambda's event source mapping sends them). */
  readonly metrics?: Metrics;
  readonly backoffMs?: (attempt: number) => number;
  /** The event shape the function gets: Kafka (default) or Kinesis, as the transport's `eventSource` says. */
  readonly eventSource?: EventSourceKind;
  /** A real Kafka cluster's brokers: Kafka events are then self-managed Kafka ones, naming them; else MSK. */
  readonly bootstrapServers?: string;
  /** How long an idle fetch waits for a first record before it asks again (default 1 s). */
  readonly idleWaitMs?: number;
  /** The pause after a failed fetch or delivery, before fetching again from the committed offsets (1 s). */
  readonly failurePauseMs?: number;
  /** The clock that ages records against `maxRecordAgeSeconds` (ms since epoch; default Date.now). */
  readonly now?: () => number;
}

/** 200 ms, doubling with each failed attempt, up to 10 s: a long outage is retried every 10 s. */
export const defaultBackoff = (attempt: number) => Math.min(200 * 2 ** (attempt - 1), 10_000);

/**
 * What Lambda's Kafka (or Kinesis) event source mapping does, for the local runtime: gathers a batch until
 * it holds `batchSize` records or `batchWindowSeconds` have passed since its first record, hands it to the
 * function as an MSK, self-managed Kafka (or Kinesis) event, commits a partition's offsets only once the
 * function has processed its records, and redelivers from the first failed offset with exponential backoff.
 * A batch the function throws on is split in halves (with `splitBatchOnError`) until the record at fault is
 * alone. A record that still fails after `maxAttempts`, or once it is older than `maxRecordAgeSeconds`, goes
 * to the dead-letter topic with the reason, and the rest flows on. When a commit or a dead-letter send fails,
 * the consumer rewinds to the committed offsets, so the records not done yet are fetched and delivered again,
 * never skipped.
 */
export class EventSourcePoller {
  private readonly options: PollerOptions;
  private stopped = false;
  /** Cuts a backoff short when the poller stops: retries without an attempt limit may wait 10 s each. */
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;

  constructor(options: PollerOptions) {
    this.options = options;
  }

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.running;
  }

  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => {});
  }

  private async loop(): Promise<void> {
    const { consumer, functionName } = this.options;
    while (!this.stopped) {
      try {
        const records = await this.nextBatch();
        if (records.length > 0) await this.deliver(records);
      } catch (error) {
        logger.error('event source poller failed; going on from the committed offsets', {
          function: functionName,
          error,
        });
        await consumer.rewind().catch((rewindError: unknown) => {
          logger.error('could not rewind the consumer', { function: functionName, error: rewindError });
        });
        await this.pause(this.options.failurePauseMs ?? 1000);
      }
    }
  }

  /** Waits for a first record, then gathers until the batch is full or its window has passed. */
  async nextBatch(): Promise<LogRecord[]> {
    const { trigger, consumer } = this.options;
    const batch = await consumer.fetch(trigger.batchSize, this.options.idleWaitMs ?? 1000);
    const deadline = Date.now() + trigger.batchWindowSeconds * 1000;
    while (batch.length > 0 && batch.length < trigger.batchSize && !this.stopped) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      batch.push(...(await consumer.fetch(trigger.batchSize - batch.length, left)));
    }
    return batch;
  }

  /** Delivers one batch until every record is processed or dead-lettered. */
  async deliver(batch: readonly LogRecord[]): Promise<void> {
    const { trigger, consumer } = this.options;
    const backoff = this.options.backoffMs ?? defaultBackoff;
    let pending = [...batch];
    let attempt = 1;
    let lastError = '';
    while (pending.length > 0) {
      lastError = ''; // The reason a record is dead-lettered is that of its last attempt.
      const failedFrom = await this.attempt(pending).catch((error: unknown) => {
        lastError = error instanceof Error ? error.message : String(error);
        return firstOffsets(pending);
      });
      const retry: LogRecord[] = [];
      for (const [partition, records] of Map.groupBy(pending, (record) => record.partition)) {
        const failedOffset = failedFrom.get(partition);
        const done =
          failedOffset === undefined ? records : records.filter((record) => record.offset < failedOffset);
        if (done.length > 0) await consumer.commit(partition, done.at(-1)!.offset + 1);
        retry.push(
          ...records.filter((record) => failedOffset !== undefined && record.offset >= failedOffset),
        );
      }
      if (retry.length === 0) return;
      if (this.stopped) return; // Uncommitted: redelivered from the committed offsets after a restart.
      if (lastError && trigger.splitBatchOnError && retry.length > 1) {
        // Halves keep each partition's records in order, so commits stay monotonic.
        const half = Math.ceil(retry.length / 2);
        await this.deliver(retry.slice(0, half));
        await this.deliver(retry.slice(half));
        return;
      }
      const attemptsSpent = attempt >= trigger.maxAttempts;
      const expired = this.partitionsPastMaxAge(retry);
      if (attemptsSpent || expired.size > 0) {
        const reported = `${this.options.functionName} reported it as a batch item failure in attempt ${attempt}`;
        const reason =
          (lastError ||
            (Number.isFinite(trigger.maxAttempts) ? `${reported} of ${trigger.maxAttempts}` : reported)) +
          (attemptsSpent ? '' : `; retried until older than ${trigger.maxRecordAgeSeconds} s`);
        pending = await this.deadLetterFirstFailures(
          retry,
          reason,
          attempt,
          attemptsSpent ? undefined : expired,
        );
        attempt = 1;
        continue;
      }
      await this.pause(backoff(attempt));
      if (this.stopped) return;
      attempt += 1;
      pending = retry;
    }
  }

  /**
   * Invokes the function once with the event its source would hand it (src/adapters/event-sources); returns
   * the first failed offset of each failed partition, as its partial batch response names them.
   */
  private async attempt(records: readonly LogRecord[]): Promise<Map<number, number>> {
    const { eventSource = 'kafka', bootstrapServers, functionName } = this.options;
    const source = eventSources[eventSource];
    const response = this.options.invokeRecords
      ? await this.options.invokeRecords(records)
      : await this.options.invoke(source.event(records, { functionName, bootstrapServers }));
    return source.failedOffsets(response, records);
  }

  /** The partitions whose first failing record is older than the trigger's `maxRecordAgeSeconds`. */
  private partitionsPastMaxAge(retry: readonly LogRecord[]): Set<number> {
    const oldestAllowed = (this.options.now ?? Date.now)() - this.options.trigger.maxRecordAgeSeconds * 1000;
    const expired = new Set<number>();
    for (const [partition, records] of Map.groupBy(retry, (record) => record.partition)) {
      if (records[0]!.timestamp < oldestAllowed) expired.add(partition);
    }
    return expired;
  }

  /**
   * Sends the first failing record of each partition (of `only` these, when given) to the dead-letter topic,
   * key, value and headers as they were, with the reason added in headers, and commits past it.
   */
  private async deadLetterFirstFailures(
    retry: readonly LogRecord[],
    reason: string,
    attempts: number,
    only?: ReadonlySet<number>,
  ): Promise<LogRecord[]> {
    const { deadLetters, consumer, functionName } = this.options;
    const rest: LogRecord[] = [];
    for (const [partition, records] of Map.groupBy(retry, (record) => record.partition)) {
      const [poison, ...others] = records;
      if (!poison) continue;
      if (only && !only.has(partition)) {
        rest.push(...records);
        continue;
      }
      await deadLetters.publisher.forward(deadLetters.topic, [
        {
          key: poison.key,
          value: poison.value,
          headers: {
            ...poison.headers,
            'x-failure-reason': reason,
            'x-failed-function': functionName,
            'x-source': `${poison.topic}-${partition}@${poison.offset}`,
            'x-attempts': String(attempts),
          },
        },
      ]);
      logger.warn('record sent to the dead-letter topic', {
        function: functionName,
        source: `${poison.topic}-${partition}@${poison.offset}`,
        reason,
      });
      this.options.metrics?.count('dead_letters', 1, { function: functionName });
      await consumer.commit(partition, poison.offset + 1);
      rest.push(...others);
    }
    return rest;
  }
}

function firstOffsets(records: readonly LogRecord[]): Map<number, number> {
  const first = new Map<number, number>();
  for (const record of records)
    first.set(record.partition, Math.min(record.offset, first.get(record.partition) ?? Infinity));
  return first;
}
