import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { localModeEnv } from '../../../devkit/local-process.ts';

const root = resolve(import.meta.dirname, '../../..');

/** `npm run catalog -- …`'s entry point as a child process, with only the settings given (no inherited ones). */
export function runCatalogCli(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const inherited = Object.fromEntries(
    Object.entries(localModeEnv('REGIONS')).filter(([key]) => !key.startsWith('OPENAI_')),
  );
  const child = spawn(process.execPath, [join(root, 'local/catalog-cli.ts'), ...args], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolveRun, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/** Every file under a folder lake, as sorted keys (paths relative to it); none when it does not exist. */
export async function listFiles(lake: string): Promise<string[]> {
  try {
    const entries = await readdir(lake, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => relative(lake, join(entry.parentPath, entry.name)))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
