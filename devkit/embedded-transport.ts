import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The offsets local mode's lake-writer has committed on its embedded transport (`offsets.<group>.json`). */
export async function embeddedCommittedOffsets(dataDir: string): Promise<Map<number, number>> {
  const file = join(dataDir, 'transport', 'song-plays', 'offsets.lake-writer.json');
  const text = await readFile(file, 'utf8').catch(() => '{}');
  return new Map(
    Object.entries(JSON.parse(text) as Record<string, number>).map(([partition, offset]) => [
      Number(partition),
      offset,
    ]),
  );
}
