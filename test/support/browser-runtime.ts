import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildDashboardIfMissing, launchChromium } from '../../devkit/browser.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';

/** What a browser suite's tests use; filled in before its first test. */
export interface RuntimeInBrowser {
  runtime: LocalRuntime;
  browser: Browser;
  /** The runtime's data directory (lake, embedded transport). */
  dataDir: string;
}

/**
 * The real local runtime on a fresh data directory, with no schedules (the test runs each job itself), and
 * Chromium, started before the enclosing suite's tests and stopped after them. Call it inside `describe`.
 */
export function runtimeInBrowser(dirName: string, env: Record<string, string> = {}): RuntimeInBrowser {
  const suite = {} as RuntimeInBrowser;
  let dir: Awaited<ReturnType<typeof makeTempDir>> | undefined;

  beforeAll(async () => {
    buildDashboardIfMissing();
    dir = await makeTempDir(dirName);
    suite.dataDir = dir.path;
    suite.runtime = await startLocalRuntime({
      env: { TOP_SONGS_DATA_DIR: dir.path, PORT: '0', ...env },
      schedules: false,
    });
    suite.browser = await launchChromium();
  });

  afterAll(async () => {
    await suite.browser?.close();
    await suite.runtime?.stop();
    await dir?.remove();
  });

  return suite;
}
