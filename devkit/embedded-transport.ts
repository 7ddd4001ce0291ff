import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The offsets a local-mode consumer (the lake-writer unless `group` names another) has committed on its embedded
 * transport (`offsets.<group>.json`).
 */
export async function embeddedCommittedOffsets(
  dataDir: string,
  group = 'lake-writer',
): Promise<Map<number, number>> {
  const file = join(dataDir, 'transport', 'song-plays', `offsets.${group}.json`);
  const text = await readFile(file, 'utf8').catch(() => '{}');
  return new Map(
    Object.entries(JSON.parse(text) as Record<string, number>).map(([partition, offset]) => [
      Number(partition),
      offset,
    ]),
  );
}
