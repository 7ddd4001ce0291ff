/**
 * Local mode's development API key: created on first start, kept in `<data dir>/dev-api-key` (mode 600) for
 * the simulator, `npm run invoke` and the tests, and created again when that file is gone or its key was
 * revoked. The database keeps only its hash, like any key's.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { replaceFileDurably } from '../src/adapters/durable-file.ts';
import type { RateLimit } from '../src/domain/api-keys.ts';
import type { ApiKeyStore } from '../src/ports/api-key-store.ts';
import { ensureNamedKey } from '../src/use-cases/manage-api-keys.ts';

export const DEV_API_KEY_NAME = 'dev';
/** Generous, for the simulator's backfills and the benchmarks; still a limit, as in any deployment. */
export const DEV_API_KEY_RATE: RateLimit = { requests: 1000, windowSeconds: 1 };

export function devApiKeyFile(dataDir: string): string {
  return join(dataDir, 'dev-api-key');
}

/** The key a file holds (surrounding whitespace ignored), or undefined when there is no such file. */
export async function readApiKeyFile(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The key in `file` when it is in use, else a new key named `name`, written to `file` (mode 600). */
export async function ensureApiKeyFile(
  keys: ApiKeyStore,
  file: string,
  name: string,
  rateLimit: RateLimit,
): Promise<{ readonly key: string; readonly created: boolean }> {
  const ensured = await ensureNamedKey(keys, { candidate: await readApiKeyFile(file), name, rateLimit });
  if (ensured.created) {
    await mkdir(dirname(file), { recursive: true });
    await replaceFileDurably(file, `${ensured.key}\n`, 0o600);
  }
  return ensured;
}

export function ensureDevApiKey(keys: ApiKeyStore, dataDir: string) {
  return ensureApiKeyFile(keys, devApiKeyFile(dataDir), DEV_API_KEY_NAME, DEV_API_KEY_RATE);
}
