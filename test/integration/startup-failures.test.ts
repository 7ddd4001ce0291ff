import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localModeEnv } from '../../devkit/local-process.ts';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { freePort } from '../../src/adapters/postgres/embedded.ts';

const root = resolve(import.meta.dirname, '../..');
const inherited = localModeEnv();

/** Runs a command of the local runtime that is expected to fail; resolves with its exit code and stderr. */
function run(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      [join(root, script), ...args],
      { cwd: root, env: { ...inherited, PORT: '0', DATABASE_URL: '', ...env } },
      (error, _stdout, stderr) => resolveRun({ code: error ? Number(error.code) : 0, stderr }),
    );
  });
}

/** What a user must see when a service cannot start: a non-zero exit, one line, no stack trace. */
function expectOneSentence(result: { code: number; stderr: string }, says: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.stderr.trim()).not.toContain('\n');
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).toMatch(says);
}

describe('a service that cannot start', () => {
  let dataDir: Awaited<ReturnType<typeof makeTempDir>>;
  let taken: Server;
  let takenPort = 0;

  beforeAll(async () => {
    dataDir = await makeTempDir('startup-failures');
    taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, listening));
    takenPort = (taken.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((closed) => taken.close(closed));
    await dataDir.remove();
  });

  it('a port in use: npm start names the port and what to do', async () => {
    const result = await run('local/main.ts', ['--no-simulator'], {
      TOP_SONGS_DATA_DIR: join(dataDir.path, 'port'),
      PORT: String(takenPort),
    });
    expectOneSentence(result, new RegExp(`^Could not start the HTTP server on port ${takenPort} .*set PORT`));
  });

  it('an unreachable DATABASE_URL: npm start says so', async () => {
    const result = await run('local/main.ts', ['--no-simulator'], {
      TOP_SONGS_DATA_DIR: join(dataDir.path, 'database-url'),
      DATABASE_URL: `postgres://top:songs@127.0.0.1:${await freePort()}/top_songs`,
    });
    expectOneSentence(
      result,
      /^Could not start PostgreSQL at DATABASE_URL \(127\.0\.0\.1:\d+\/top_songs\).*correct DATABASE_URL/,
    );
  });

  it('an invalid setting: npm start names it', async () => {
    const result = await run('local/main.ts', ['--no-simulator'], { PORT: 'eighty' });
    expectOneSentence(result, /^Invalid settings: PORT: /);
  });

  describe('an embedded PostgreSQL that cannot start (its files damaged)', () => {
    let damaged: string;

    beforeAll(async () => {
      damaged = join(dataDir.path, 'damaged');
      await mkdir(join(damaged, 'postgres', 'pgdata'), { recursive: true });
      await writeFile(join(damaged, 'postgres', 'pgdata', 'PG_VERSION'), 'not a version\n');
    });

    it('npm start says which server, why, and what to do', async () => {
      const result = await run('local/main.ts', ['--no-simulator'], { TOP_SONGS_DATA_DIR: damaged });
      expectOneSentence(
        result,
        /^The embedded PostgreSQL in .*could not start \(the server exited while starting: postgres: .*\); .*delete /,
      );
    });

    it('npm run invoke says the same', async () => {
      const result = await run('local/invoke.ts', ['catalog-sync'], { TOP_SONGS_DATA_DIR: damaged });
      expectOneSentence(result, /^The embedded PostgreSQL in .*could not start/);
    });
  });
});
