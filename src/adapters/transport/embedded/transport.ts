import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  ForwardedMessage,
  LogConsumer,
  OutgoingMessage,
  PartitionLag,
  Transport,
} from '../../../ports/transport.ts';
import { topics as declaredTopics, type TopicDeclaration } from '../../../topology.ts';
import { openEmbeddedConsumer } from './consumer.ts';
import { lockFolder } from './folder-lock.ts';
import { PartitionLog, type StoredMessage } from './log.ts';
import { OffsetFile } from './offsets.ts';
import { partitionFor } from './partitioner.ts';

/**
 * The in-process transport of local mode: topics with partitions and offsets like Kafka's,
 * durable on disk (an append resolves after fsync), consumer groups with committed offsets.
 * It exists so that one command runs everything on one machine; Kafka is the real one.
 */
export class EmbeddedTransport implements Transport {
  readonly eventSource = 'kafka' as const;
  private readonly dir: string;
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly offsetFiles = new Map<string, OffsetFile>();
  private readonly waiters = new Set<() => void>();
  private readonly release: () => void;

  private constructor(dir: string) {
    this.dir = dir;
    this.release = lockFolder(dir);
  }

  static async open(
    dir: string,
    topics: readonly TopicDeclaration[] = Object.values(declaredTopics),
  ): Promise<EmbeddedTransport> {
    const transport = new EmbeddedTransport(dir);
    for (const topic of topics) {
      const topicDir = join(dir, topic.name);
      for (const group of await existingGroups(topicDir)) transport.offsetFile(topic.name, group);
      const keepFrom = (partition: number) => transport.lowestCommitted(topic.name, partition);
      const partitions = await Promise.all(
        Array.from({ length: topic.partitions }, (_, partition) =>
          PartitionLog.open(topicDir, topic.name, partition, keepFrom(partition)),
        ),
      );
      transport.topics.set(topic.name, partitions);
    }
    return transport;
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    await this.append(topic, messages, (message) => message.key);
  }

  async forward(topic: string, messages: readonly ForwardedMessage[]): Promise<void> {
    await this.append(topic, messages, (message) => Buffer.from(message.key ?? []).toString());
  }

  private async append<M extends StoredMessage>(
    topic: string,
    messages: readonly M[],
    keyOf: (message: M) => string,
  ): Promise<void> {
    const partitions = this.partitionsOf(topic);
    const byPartition = Map.groupBy(messages, (message) => partitionFor(keyOf(message), partitions.length));
    await Promise.all([...byPartition].map(([partition, batch]) => partitions[partition]!.append(batch)));
    for (const wake of this.waiters) wake();
  }

  async consumer(topic: string, group: string): Promise<LogConsumer> {
    const partitions = this.partitionsOf(topic);
    // Registered first, so that no commit of another group forgets what this one has yet to read; then what
    // was forgotten before it came (a group whose offsets file did not exist when the transport opened) is
    // read back from the files.
    const offsets = this.offsetFile(topic, group);
    await Promise.all(partitions.map((log) => log.recallFrom(offsets.committed(log.partition))));
    return openEmbeddedConsumer({
      partitions,
      offsets,
      nextPublish: (maxWaitMs) => this.nextPublish(maxWaitMs),
      committed: (partition) => partitions[partition]?.trimBelow(this.lowestCommitted(topic, partition)),
    });
  }

  async close(): Promise<void> {
    for (const wake of this.waiters) wake();
    this.release();
  }

  describe(): string {
    return `embedded transport in ${this.dir}`;
  }

  async consumerLag(topic: string, group: string): Promise<PartitionLag[]> {
    // A group that never consumed is read without being registered: a registered one holds back trimming.
    const offsets = this.offsetFiles.get(`${topic}/${group}`) ?? new OffsetFile(join(this.dir, topic), group);
    return this.partitionsOf(topic).map((log, partition) => ({
      partition,
      lag: Math.max(0, log.endOffset - offsets.committed(partition)),
    }));
  }

  /** How many records are in the topic, per partition (for tests and reconciliation). */
  endOffsets(topic: string): number[] {
    return this.partitionsOf(topic).map((log) => log.endOffset);
  }

  private partitionsOf(topic: string): PartitionLog[] {
    const partitions = this.topics.get(topic);
    if (!partitions)
      throw new Error(
        `Unknown topic "${topic}"; the topology declares ${[...this.topics.keys()].join(', ')}`,
      );
    return partitions;
  }

  private offsetFile(topic: string, group: string): OffsetFile {
    const key = `${topic}/${group}`;
    let file = this.offsetFiles.get(key);
    if (!file) {
      file = new OffsetFile(join(this.dir, topic), group);
      this.offsetFiles.set(key, file);
    }
    return file;
  }

  /** Records below this offset are done for every group that ever consumed the topic. */
  private lowestCommitted(topic: string, partition: number): number {
    const files = [...this.offsetFiles].filter(([key]) => key.startsWith(`${topic}/`));
    return files.length === 0 ? 0 : Math.min(...files.map(([, file]) => file.committed(partition)));
  }

  private nextPublish(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, maxWaitMs);
      this.waiters.add(wake);
    });
  }
}

async function existingGroups(topicDir: string): Promise<string[]> {
  const names = await readdir(topicDir).catch(() => [] as string[]);
  return names.flatMap((name) => /^offsets\.(.+)\.json$/.exec(name)?.slice(1) ?? []);
}
