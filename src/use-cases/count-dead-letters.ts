import { type ConsumedRecord, type RecordFailure, wholeBatchFailed } from '../domain/consumed-record.ts';
import { countedHour, countedRegion } from '../domain/pipeline-counts.ts';
import type { DeadLetter, PipelineCountStore } from '../ports/pipeline-counts.ts';

export interface DeadLetterCounterPorts {
  readonly counts: Pick<PipelineCountStore, 'addDeadLetters'>;
  readonly regions: readonly string[];
}

/**
 * Keeps each record of the dead-letter topic once (by where it failed), in the hour of its `played_at` and its
 * region as far as they can be read. The store out of reach fails every partition of the batch from its first
 * record, so the event source retries; a record counted already is not counted again.
 */
export async function countDeadLetters(
  records: readonly ConsumedRecord[],
  ports: DeadLetterCounterPorts,
): Promise<{ readonly added: number; readonly failures: readonly RecordFailure[] }> {
  const letters = records.map((record) => deadLetterOf(record, ports.regions));
  try {
    return { added: await ports.counts.addDeadLetters(letters), failures: [] };
  } catch (error) {
    const failures = wholeBatchFailed(records, (error as Error).message);
    return { added: 0, failures };
  }
}

export function deadLetterOf(record: ConsumedRecord, regions: readonly string[]): DeadLetter {
  let fields: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(record.value);
    if (parsed !== null && typeof parsed === 'object') fields = parsed as Record<string, unknown>;
  } catch {
    // Counted all the same: in the hour it reached the dead-letter topic, in no region.
  }
  const receivedAt = new Date(record.timestamp);
  const position = record.sequenceNumber ?? String(record.offset);
  return {
    // The poller and Lambda's Kafka destination say where the record failed; else its place here identifies it.
    source: record.headers?.['x-source'] ?? `${record.topic}-${record.partition}@${position}`,
    hour: countedHour(fields.played_at, receivedAt),
    region: countedRegion(fields.region, regions),
    reason: record.headers?.['x-failure-reason'] ?? 'not given',
    deadLetteredAt: receivedAt,
  };
}
