import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
export const dashboardDist = join(root, 'frontend', 'dist');

/** Builds the dashboard unless `npm test` already did. */
export function buildDashboardIfMissing(): void {
  if (existsSync(join(dashboardDist, 'index.html'))) return;
  // `npm` and the tools it runs resolve `node` from PATH: put this very node first.
  const result = spawnSync('npm', ['run', 'build', '-w', 'frontend'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
  });
  if (result.status !== 0) {
    throw new Error(`frontend build failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** Debian's Chromium, headless, with everything that would reach out to the network turned off. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `The browser tests need Chromium, and there is none at ${executablePath}: install it ` +
        '(Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH to its executable.',
    );
  }
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
