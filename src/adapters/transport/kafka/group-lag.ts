import { type Admin, FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka';
import type { PartitionLag } from '../../../ports/transport.ts';

/**
 * A consumer group's lag per partition: what a read-committed consumer can read (the last stable offset) minus where
 * the group resumes (its committed offset; without one, the earliest offset, where the lake-writer starts). With
 * transactional ingest a caught-up group lags by 1 on a partition that holds records: the last offset is a
 * transaction marker that no consumer commits past. `committedAny` says whether the group committed anything.
 */
export async function kafkaGroupLag(
  admin: Admin,
  group: string,
  topic: string,
  partitions: number,
): Promise<{ readonly lags: PartitionLag[]; readonly committedAny: boolean }> {
  const [found] = await admin.listConsumerGroupOffsets({ groups: [group] });
  const committed = new Map(
    found?.topics
      .find((candidate) => candidate.name === topic)
      ?.partitions.map((partition) => [partition.partitionIndex, partition.committedOffset]),
  );
  const indexes = Array.from({ length: partitions }, (_, index) => index);
  const offsets = async (timestamp: bigint) => {
    const [listed] = await admin.listOffsets({
      topics: [{ name: topic, partitions: indexes.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    });
    return new Map(listed?.partitions.map((partition) => [partition.partitionIndex, partition.offset]));
  };
  const [ends, starts] = await Promise.all([
    offsets(ListOffsetTimestamps.LATEST),
    offsets(ListOffsetTimestamps.EARLIEST),
  ]);
  const lags = indexes.map((partition) => {
    const end = ends.get(partition) ?? 0n;
    const start = starts.get(partition) ?? 0n;
    // -1 (or none): nothing committed on this partition; the consumer starts at the earliest offset.
    const resume = committed.get(partition) ?? -1n;
    const from = resume > start ? resume : start;
    return { partition, lag: Number(end > from ? end - from : 0n) };
  });
  return { lags, committedAny: committed.size > 0 };
}
