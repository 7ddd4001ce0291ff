import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type ConnectionProbe, fail, ok } from '../../ports/connection-probe.ts';
import type { TopicDeclaration } from '../../topology.ts';
import { isProcessAlive } from '../process-liveness.ts';
import { folderOwner } from '../transport/embedded/folder-lock.ts';
import { endOffsetOnDisk } from '../transport/embedded/log.ts';
import { OffsetFile } from '../transport/embedded/offsets.ts';
import { oneLine } from './error-codes.ts';
import { lagText } from './lag.ts';

export interface EmbeddedTransportProbeOptions {
  /** The transport's folder: `$TOP_SONGS_DATA_DIR/transport`. */
  readonly dir: string;
  readonly topics: readonly TopicDeclaration[];
  readonly group: string;
  readonly lagTopic: string;
}

/**
 * The embedded transport's folder can be read and written (a probe file is written and removed), and the
 * consumer group's lag per partition, read from the files: it works while a running `npm start` holds the folder.
 */
export function embeddedTransportProbe(options: EmbeddedTransportProbeOptions): ConnectionProbe {
  const hint = `check that this user can write to ${options.dir}, or set TOP_SONGS_DATA_DIR to another folder`;
  return {
    service: 'transport',
    target: `embedded in ${options.dir}`,
    silentHint: `the file system under ${options.dir} does not answer: ${hint}`,
    check: async () => {
      if (!existsSync(options.dir)) {
        const parent = nearestExisting(options.dir);
        const probe = join(parent, `.top-songs-doctor-${randomUUID()}.tmp`);
        const written = await writable(probe);
        return written === undefined
          ? ok('not created yet (npm start creates it; the folder above it is writable)')
          : fail(`${parent} is not writable (${written})`, hint);
      }
      const written = await writable(join(options.dir, `.doctor-${randomUUID()}.tmp`));
      if (written !== undefined) return fail(`${options.dir} is not writable (${written})`, hint);
      const topicDir = join(options.dir, options.lagTopic);
      const offsets = new OffsetFile(topicDir, options.group);
      const lags = await Promise.all(
        partitionsOf(options).map(async (partition) => {
          const end = await endOffsetOnDisk(topicDir, partition);
          return { partition, lag: Math.max(0, end - offsets.committed(partition)) };
        }),
      );
      return ok([owner(options.dir), lagText(options.group, lags)].join('; '));
    },
  };
}

const partitionsOf = (options: EmbeddedTransportProbeOptions) =>
  Array.from(
    { length: options.topics.find((topic) => topic.name === options.lagTopic)?.partitions ?? 0 },
    (_, partition) => partition,
  );

/** Writes and removes a file; undefined when both worked, else why not. */
async function writable(file: string): Promise<string | undefined> {
  try {
    await writeFile(file, 'top-songs doctor probe\n');
    await rm(file);
    return undefined;
  } catch (error) {
    await rm(file, { force: true }).catch(() => {});
    return (error as NodeJS.ErrnoException).code ?? oneLine(error);
  }
}

function nearestExisting(path: string): string {
  let current = dirname(path);
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

/** Who holds the folder: a running process (npm start), or nobody. */
function owner(dir: string): string {
  const pid = folderOwner(dir);
  return pid && isProcessAlive(pid) ? `held by process ${pid}` : 'not in use';
}
