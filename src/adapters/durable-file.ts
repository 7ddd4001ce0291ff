import { randomUUID } from 'node:crypto';
import { open, rename } from 'node:fs/promises';

/**
 * Replaces `file` with `content` so that a crash leaves either the old or the new content, never a mix:
 * written to a temporary `.tmp` file of its own beside it (concurrent writers never share one), flushed to
 * disk, then renamed over it. Readers of the folder skip `.tmp` names. `mode` is the new file's (0o600 for
 * a secret: it is never readable by others, not even while being written).
 */
export async function replaceFileDurably(
  file: string,
  content: string | Uint8Array,
  mode = 0o666,
): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  const handle = await open(temporary, 'w', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}
