import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLakeRows } from '../support/lake.ts';
import { type LocalProcess, startLocalProcess } from '../support/local-process.ts';
import { makeTempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * Local mode's guarantee (docs/operations.md): every play answered with 202 reaches the lake
 * exactly once, even when the process is killed (SIGKILL) right after answering.
 */
describe('killing npm start', () => {
  let dataDir: { path: string; remove: () => Promise<void> };
  let running: LocalProcess | undefined;

  beforeAll(async () => {
    dataDir = await makeTempDir('kill');
  });

  afterAll(async () => {
    await running?.stop('SIGTERM');
    // A killed run orphans its PostgreSQL; the restarted one replaced it and stopped its own.
    await dataDir.remove();
  });

  it('loses no acknowledged play and duplicates none', async () => {
    const env = { TOP_SONGS_DATA_DIR: dataDir.path };
    running = await startLocalProcess(env, ['--no-simulator']);
    const acknowledged: string[] = [];
    const playedAt = new Date(Date.now() - 10 * 60_000).toISOString();
    for (let batch = 0; batch < 20; batch++) {
      const events = Array.from({ length: 200 }, (_, index) => ({
        event_id: randomUUID(),
        user_id: `user-${index % 37}`,
        song_id: `song-${String(index % 11).padStart(6, '0')}`,
        region: 'us',
        played_at: playedAt,
        ms_played: 60_000,
      }));
      const response = await fetch(`${running.url}/v1/plays`, {
        method: 'POST',
        body: JSON.stringify({ events }),
      });
      expect(response.status).toBe(202);
      acknowledged.push(...events.map((event) => event.event_id));
    }
    // Killed straight after the last 202: the lake writer is still behind.
    await running.stop('SIGKILL');
    const lakeDir = join(dataDir.path, 'lake');
    const beforeRestart = await readLakeRows(lakeDir);
    expect(beforeRestart.length).toBeLessThanOrEqual(acknowledged.length);

    running = await startLocalProcess(env, ['--no-simulator']);
    const rows = await waitFor(
      'the restarted process to write every acknowledged play',
      async () => {
        const found = await readLakeRows(lakeDir);
        return found.length >= acknowledged.length ? found : undefined;
      },
      60_000,
    );
    expect(rows).toHaveLength(acknowledged.length);
    expect(new Set(rows.map((row) => row.event_id))).toEqual(new Set(acknowledged));
    expect(new Set(rows.map((row) => `${row.source_partition}@${row.source_offset}`)).size).toBe(rows.length);

    await running.stop('SIGTERM');
    running = undefined;
    const pid = await readFile(join(dataDir.path, 'postgres', 'pgdata', 'postmaster.pid'), 'utf8').catch(
      () => '',
    );
    expect(pid).toBe('');
  });
});
