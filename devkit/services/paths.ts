import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServicePaths } from './service.ts';

/** Where the dev services cache downloads and keep their run folders (TOP_SONGS_CACHE, TOP_SONGS_STACK_DIR). */
export function servicePaths(env: NodeJS.ProcessEnv = process.env): ServicePaths {
  const cacheDir = resolve(env.TOP_SONGS_CACHE || join(homedir(), '.cache', 'top-songs'));
  return {
    cacheDir,
    runDir: resolve(env.TOP_SONGS_STACK_DIR || join(cacheDir, 'stack')),
    projectDir: resolve(dirname(fileURLToPath(import.meta.url)), '../..'),
  };
}
