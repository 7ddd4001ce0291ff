import { existsSync } from 'node:fs';
import { mkdir, open, readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { ForwardedMessage, LogRecord, OutgoingMessage } from '../../../ports/transport.ts';

interface StoredRecord {
  o: number;
  t: number;
  k: string | null;
  v: string;
  h: Record<string, string>;
}

/** What a partition stores: a published message, or a consumed record forwarded byte for byte. */
export type StoredMessage = OutgoingMessage | ForwardedMessage;

/**
 * One partition of the embedded transport: an append-only file of JSON lines, fsynced before an
 * append resolves, plus the unconsumed tail kept in memory for reading.
 */
export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  private readonly file: string;
  private records: LogRecord[] = [];
  /** Offset of `records[0]`. */
  private base = 0;
  private next = 0;
  /** Length of the file's acknowledged content. */
  private bytes = 0;
  private writing = false;
  private waiting: {
    messages: readonly StoredMessage[];
    resolve: () => void;
    reject: (error: unknown) => void;
  }[] = [];

  private constructor(topic: string, partition: number, file: string) {
    this.topic = topic;
    this.partition = partition;
    this.file = file;
  }

  /** Opens the partition's file, dropping a torn last line (never acknowledged: the append had not synced). */
  static async open(dir: string, topic: string, partition: number, keepFrom: number): Promise<PartitionLog> {
    await mkdir(dir, { recursive: true });
    const log = new PartitionLog(topic, partition, join(dir, `${partition}.log`));
    const content = existsSync(log.file) ? await readFile(log.file, 'utf8') : '';
    let goodLength = 0;
    // Only newline-terminated lines are records: whatever follows the last newline is a torn append.
    for (const line of content.split('\n').slice(0, -1)) {
      if (line === '') break;
      let stored: StoredRecord;
      try {
        stored = JSON.parse(line) as StoredRecord;
      } catch {
        break;
      }
      goodLength += Buffer.byteLength(line) + 1;
      log.next = stored.o + 1;
      if (stored.o >= keepFrom) log.records.push(log.decode(stored));
    }
    if (goodLength < Buffer.byteLength(content)) await truncate(log.file, goodLength);
    log.bytes = goodLength;
    log.base = log.records[0]?.offset ?? log.next;
    return log;
  }

  get endOffset(): number {
    return this.next;
  }

  /**
   * Appends and fsyncs; resolves once the records are on disk. Appends that arrive while a write is
   * under way are written together by the next one, with one fsync for all (group commit).
   */
  append(messages: readonly StoredMessage[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ messages, resolve, reject });
      if (!this.writing) void this.writeWaiting();
    });
  }

  private async writeWaiting(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0);
      const timestamp = Date.now();
      let offset = this.next;
      const stored: StoredRecord[] = group.flatMap(({ messages }) =>
        messages.map((message) => ({
          o: offset++,
          t: timestamp,
          k: message.key === undefined ? null : Buffer.from(message.key).toString('base64'),
          v: Buffer.from(message.value).toString('base64'),
          h: { ...message.headers },
        })),
      );
      const text = stored.map((record) => `${JSON.stringify(record)}\n`).join('');
      try {
        const handle = await open(this.file, 'a');
        try {
          await handle.write(text);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } catch (error) {
        // Nothing of this group was acknowledged: cut off whatever part of it reached the file.
        await truncate(this.file, this.bytes).catch(() => {});
        for (const { reject } of group) reject(error);
        continue;
      }
      this.bytes += Buffer.byteLength(text);
      this.next = offset;
      this.records.push(...stored.map((record) => this.decode(record)));
      for (const { resolve } of group) resolve();
    }
    this.writing = false;
  }

  read(fromOffset: number, maxRecords: number): LogRecord[] {
    const start = Math.max(fromOffset, this.base) - this.base;
    return this.records.slice(start, start + maxRecords);
  }

  /**
   * Reads the records from `offset` on into memory again where they were forgotten: for a group that never
   * committed, opened after the others had committed (and the log had forgotten) what it has yet to read.
   */
  async recallFrom(offset: number): Promise<void> {
    if (offset >= this.base) return;
    const content = await readFile(this.file, 'utf8');
    const recalled: LogRecord[] = [];
    // `base` read after the await: only what is still forgotten then. Only newline-terminated lines: an append
    // under way meanwhile is past it.
    for (const line of content.split('\n').slice(0, -1)) {
      const stored = JSON.parse(line) as StoredRecord;
      if (stored.o >= this.base) break;
      if (stored.o >= offset) recalled.push(this.decode(stored));
    }
    this.records = [...recalled, ...this.records];
    this.base = recalled[0]?.offset ?? this.base;
  }

  /** Forgets records below `offset` from memory (they stay in the file). */
  trimBelow(offset: number): void {
    if (offset <= this.base) return;
    const drop = Math.min(offset - this.base, this.records.length);
    this.records = this.records.slice(drop);
    this.base += drop;
  }

  private decode(stored: StoredRecord): LogRecord {
    return {
      topic: this.topic,
      partition: this.partition,
      offset: stored.o,
      timestamp: stored.t,
      key: stored.k === null ? undefined : new Uint8Array(Buffer.from(stored.k, 'base64')),
      value: new Uint8Array(Buffer.from(stored.v, 'base64')),
      headers: stored.h,
    };
  }
}

/**
 * The end offset of a partition's file (its last complete record's offset + 1; 0 for none), read from its tail
 * without loading it or taking its folder's lock: for a check while `npm start` holds the transport.
 */
export async function endOffsetOnDisk(dir: string, partition: number): Promise<number> {
  const file = join(dir, `${partition}.log`);
  const size = await stat(file).then(
    (info) => info.size,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return 0;
      throw error;
    },
  );
  const handle = size > 0 ? await open(file, 'r') : undefined;
  try {
    // Read back from the end until the tail holds a whole line, doubling the window (records are small).
    for (let window = 64 * 1024; handle; window *= 2) {
      const start = Math.max(0, size - window);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      // Only newline-terminated lines are records: whatever follows the last newline is a torn append.
      const lines = buffer
        .toString('utf8')
        .split('\n')
        .slice(start === 0 ? 0 : 1, -1)
        .filter(Boolean);
      const last = lines.at(-1);
      if (last) return (JSON.parse(last) as StoredRecord).o + 1;
      if (start === 0) return 0;
    }
    return 0;
  } finally {
    await handle?.close();
  }
}
