import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackPaths } from './service.ts';

/** Where the stack's services cache downloads and keep their run folders (TOP_SONGS_CACHE, TOP_SONGS_STACK_DIR). */
export function stackPaths(env: NodeJS.ProcessEnv = process.env): StackPaths {
  const cacheDir = resolve(env.TOP_SONGS_CACHE || join(homedir(), '.cache', 'top-songs'));
  return {
    cacheDir,
    stackDir: resolve(env.TOP_SONGS_STACK_DIR || join(cacheDir, 'stack')),
    projectDir: resolve(dirname(fileURLToPath(import.meta.url)), '../..'),
  };
}
