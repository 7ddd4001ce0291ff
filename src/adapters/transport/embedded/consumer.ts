import type { LogConsumer, LogRecord } from '../../../ports/transport.ts';
import type { PartitionLog } from './log.ts';
import type { OffsetFile } from './offsets.ts';

export interface EmbeddedConsumerOptions {
  /** The topic's partitions. */
  readonly partitions: readonly PartitionLog[];
  /** The group's committed offsets on the topic. */
  readonly offsets: OffsetFile;
  /** Resolves at the next publish to any topic, or after `maxWaitMs`. */
  readonly nextPublish: (maxWaitMs: number) => Promise<void>;
  /** Called after each commit (the transport then forgets records every group is done with). */
  readonly committed: (partition: number) => void;
}

/**
 * A consumer group's reader of one embedded topic: it starts at the group's committed offsets, reads the
 * partitions round-robin, waits for a publish when there is nothing to read, and commits durably.
 */
export function openEmbeddedConsumer(options: EmbeddedConsumerOptions): LogConsumer {
  const { partitions, offsets } = options;
  const positions = partitions.map((log) => offsets.committed(log.partition));
  let nextPartition = 0;
  const take = (maxRecords: number): LogRecord[] => {
    const records: LogRecord[] = [];
    // Round-robin across partitions so that no partition starves.
    for (let step = 0; step < partitions.length && records.length < maxRecords; step++) {
      const index = (nextPartition + step) % partitions.length;
      const batch = partitions[index]!.read(positions[index]!, maxRecords - records.length);
      if (batch.length > 0) positions[index] = batch.at(-1)!.offset + 1;
      records.push(...batch);
    }
    nextPartition = (nextPartition + 1) % partitions.length;
    return records;
  };
  return {
    fetch: async (maxRecords, maxWaitMs) => {
      const records = take(maxRecords);
      if (records.length > 0) return records;
      await options.nextPublish(maxWaitMs);
      return take(maxRecords);
    },
    commit: async (partition, nextOffset) => {
      await offsets.commit(partition, nextOffset);
      options.committed(partition);
    },
    rewind: async () => {
      for (const log of partitions) positions[log.partition] = offsets.committed(log.partition);
    },
    close: async () => {},
  };
}
