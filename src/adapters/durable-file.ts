import { randomUUID } from 'node:crypto';
import { open, rename } from 'node:fs/promises';

/**
 * Replaces `file` with `content` so that a crash leaves either the old or the new content, never a mix:
 * written to a temporary `.tmp` file of its own beside it (concurrent writers never share one), flushed to
 * disk, then renamed over it. Readers of the folder skip `.tmp` names.
 */
export async function replaceFileDurably(file: string, content: string | Uint8Array): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}
