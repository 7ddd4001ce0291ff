import { afterAll } from 'vitest';
import { committedOffsets } from '../../devkit/kafka.ts';
import { makeTempDir, type TempDir } from '../../devkit/temp-dir.ts';
import { qualified } from '../../src/topology.ts';

/**
 * Fresh runtime data folders for one describe block, all removed after its tests. Call it inside the describe:
 * it registers the afterAll there.
 */
export function tempDataDirs(): (name: string) => Promise<string> {
  const dirs: TempDir[] = [];
  afterAll(async () => {
    for (const dir of dirs) await dir.remove();
  });
  return async (name) => {
    const dir = await makeTempDir(name);
    dirs.push(dir);
    return dir.path;
  };
}

/** The committed offsets of a namespace's lake-writer on its plays topic (Kafka). */
export const lakeWriterOffsets = (namespace: string) => () =>
  committedOffsets(qualified('lake-writer', namespace), qualified('song-plays', namespace));
