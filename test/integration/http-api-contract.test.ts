/**
 * The HTTP API keeps its OpenAPI document: schemathesis (scripts/schemathesis/) generates requests from the
 * document the real local runtime serves at GET /v1/openapi.json (HTTP server, API Gateway events, handlers,
 * embedded PostgreSQL and transport), with charts computed so that the read routes answer 200 too, and checks
 * every answer against it: documented status, body schema, headers, content type, no 5xx, bad input refused,
 * undocumented methods refused. A bounded number of examples with a fixed seed: the same requests every run.
 *
 * It needs schemathesis (`bash scripts/schemathesis/setup.sh`: a venv in TOP_SONGS_CACHE, about a minute the first
 * time); without it the test is skipped, unless TOP_SONGS_SCHEMATHESIS=1 (CI sets it), which makes it required.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../devkit/temp-dir.ts';
import { invokeFunction } from '../../local/functions.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { fixedSongs } from '../../src/adapters/catalog/fixed-song-source.ts';
import { encodePlaysParquet } from '../../src/adapters/duckdb/plays-parquet.ts';
import { windowContaining } from '../../src/domain/charts.ts';
import { playsFileKey } from '../../src/domain/lake-layout.ts';
import type { LakePlayRow } from '../../src/domain/lake-row.ts';
import { httpRoutes } from '../../src/topology.ts';

const root = resolve(import.meta.dirname, '../..');
const requirements = await readFile(join(root, 'scripts/schemathesis/requirements.txt'), 'utf8');
const version = /^schemathesis==(\S+)$/m.exec(requirements)?.[1];
const cache = process.env.TOP_SONGS_CACHE || join(homedir(), '.cache', 'top-songs');
const st = join(cache, `schemathesis-${version}`, 'venv', 'bin', 'st');
const required = process.env.TOP_SONGS_SCHEMATHESIS === '1';
const installed = existsSync(st);

/** Requests per operation and phase, and the seed: enough to reach every documented answer, in about a minute. */
const MAX_EXAMPLES = 40;
const SEED = 20261127;

/** Its exit codes (schemathesis.cli.constants.ExitCode). */
const exitMeaning: Record<number, string> = {
  0: 'every check passed',
  1: 'a check failed: a response does not match the document',
  2: 'schemathesis could not do its job (configuration, schema, or nothing tested)',
  130: 'interrupted',
};

let runtime: LocalRuntime;
let removeDataDir: (() => Promise<void>) | undefined;

/** Plays of `songs` (the first the most played) in the open hour, and their charts, so that GETs find data. */
async function seedCharts(songs: readonly string[]): Promise<void> {
  const now = new Date();
  const rows: LakePlayRow[] = songs
    .flatMap((song_id, rank) =>
      Array.from({ length: songs.length - rank }, () => ({
        event_id: randomUUID(),
        user_id: 'user-1',
        song_id,
        region: 'us',
        played_at: now.toISOString(),
        ms_played: 60_000,
        source_topic: 'song-plays',
        source_partition: 0,
        source_offset: 0,
      })),
    )
    .map((row, offset) => ({ ...row, source_offset: offset }));
  const key = playsFileKey(now, { writer: 'lake-writer', topic: 'song-plays', partition: 0, firstOffset: 0 });
  await runtime.dependencies
    .lake()
    .put(key, await encodePlaysParquet(rows), 'application/vnd.apache.parquet');
  await invokeFunction('catalog-sync', {});
  for (const period of ['hour', 'day'] as const) {
    const window_start = windowContaining(period, now).start.toISOString();
    await invokeFunction(period === 'hour' ? 'chart-hourly' : 'chart-daily', { period, window_start });
  }
}

/** Runs `st` in `cwd` (where it may leave files), with its output gathered. */
function schemathesis(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    let output = '';
    const child = spawn(st, args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', fail);
    child.once('close', (code) => done({ code, output }));
  });
}

describe.skipIf(!installed && !required)(
  'the HTTP API against its OpenAPI document (skipped without schemathesis: bash scripts/schemathesis/setup.sh)',
  () => {
    beforeAll(async () => {
      const dir = await makeTempDir('contract');
      removeDataDir = dir.remove;
      const songs = ['song-000042', 'song-000007', 'song-000100'];
      runtime = await startLocalRuntime({
        env: { TOP_SONGS_DATA_DIR: dir.path, PORT: '0' },
        schedules: false,
        defaultCatalog: fixedSongs(
          songs.map((song_id) => ({ song_id, title: `Title ${song_id}`, artist: 'A', genre: 'pop' })),
        ),
      });
      await seedCharts(songs);
    }, 120_000);

    afterAll(async () => {
      await runtime?.stop();
      await removeDataDir?.();
    });

    it('serves the committed document at GET /v1/openapi.json', async () => {
      const served = await fetch(`${runtime.url}/v1/openapi.json`);
      expect(served.status).toBe(200);
      expect(await served.json()).toEqual(
        JSON.parse(await readFile(join(root, 'docs/openapi.json'), 'utf8')),
      );
    });

    it('answers every generated request as the document says', { timeout: 600_000 }, async () => {
      expect(installed, `no schemathesis at ${st}: run bash scripts/schemathesis/setup.sh`).toBe(true);
      const runDir = await makeTempDir('schemathesis');
      try {
        const report = join(runDir.path, 'report.json');
        const { code, output } = await schemathesis(
          [
            '--config-file',
            join(root, 'scripts/schemathesis/schemathesis.toml'),
            'run',
            // The committed document, which the runtime serves (the test above): loaded from its URL,
            // schemathesis would leave out the route that serves it.
            join(root, 'docs/openapi.json'),
            '--url',
            runtime.url,
            '--max-examples',
            String(MAX_EXAMPLES),
            '--seed',
            String(SEED),
            '--generation-database',
            'none',
            '--report-json-path',
            report,
          ],
          runDir.path,
        );
        const verdict = `schemathesis exited ${code} (${exitMeaning[code ?? -1] ?? 'unknown'}):\n${output.slice(-12_000)}`;
        expect(code, verdict).toBe(0);
        const { operations } = JSON.parse(await readFile(report, 'utf8')) as {
          operations: { total: number; tested: number; errored: number };
        };
        // Every route was exercised, none errored: a run that tests nothing passes too.
        expect(operations, verdict).toMatchObject({
          total: httpRoutes.length,
          tested: httpRoutes.length,
          errored: 0,
        });
      } finally {
        await runDir.remove();
      }
    });
  },
);
