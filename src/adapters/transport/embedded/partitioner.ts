/** Stable key → partition mapping, so one user's plays stay in order on one partition. */
export function partitionFor(key: string, partitions: number): number {
  // FNV-1a: small, fast and stable across processes; Kafka's own partitioner is used on Kafka.
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
