/**
 * Each function's own pool (database-pools.ts) on a real PostgreSQL: one function holding every connection of its
 * pool leaves another's untouched, as in AWS Lambda; the composition root hands each function the adapters of its
 * own pool, and work outside any function those of the process's.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings, type Settings } from '../../../src/config/settings.ts';
import {
  databasePools,
  PROCESS_SCOPE,
  poolScope,
  runAsFunction,
} from '../../../src/wiring/database-pools.ts';
import { createDependencies } from '../../../src/wiring/dependencies.ts';
import { postgresForThisFile } from '../support/postgres.ts';

const url = postgresForThisFile('database-pools');
let settings: Settings;
beforeAll(() => {
  settings = loadSettings({ DATABASE_URL: url() });
});

describe('a pool per function', () => {
  const pools = () => databasePools(settings, 10_000);
  let opened: ReturnType<typeof pools> | undefined;
  afterAll(async () => {
    await opened?.close();
  });

  it('serves a function at once while another holds every connection of its own pool', async () => {
    opened = pools();
    const liveChart = await opened.open('live-chart');
    const ingest = await opened.open('ingest');
    const held: pg.PoolClient[] = [];
    try {
      while (held.length < (liveChart.options.max ?? 0)) held.push(await liveChart.connect());
      // The live chart's pool is exhausted: its next caller waits ...
      const waiting = liveChart.connect();
      expect(liveChart.waitingCount).toBe(1);
      // ... and ingest's is not: it answers without waiting for the live chart.
      const { rows } = await ingest.query<{ app: string }>('SELECT current_setting($1) AS app', [
        'application_name',
      ]);
      expect(rows[0]?.app).toBe('top-songs ingest');
      // Once the live chart gives one back, its waiting caller gets it.
      held.shift()?.release();
      held.push(await waiting);
    } finally {
      for (const client of held) client.release();
    }
  });

  it('names the scope of the function running, through everything it awaits, and the process outside any', async () => {
    expect(poolScope()).toBe(PROCESS_SCOPE);
    const seen = await runAsFunction('ingest', async () => {
      await Promise.resolve();
      await new Promise((resolve) => setImmediate(resolve));
      return poolScope();
    });
    expect(seen).toBe('ingest');
    expect(poolScope()).toBe(PROCESS_SCOPE);
  });
});

describe('the composition root', () => {
  it("hands each function the adapters of its own pool, and the same ones again on that function's next call", async () => {
    const deps = createDependencies(settings);
    try {
      const ingest = await runAsFunction('ingest', () => deps.rateLimiter());
      const again = await runAsFunction('ingest', () => deps.rateLimiter());
      const liveChart = await runAsFunction('live-chart', () => deps.rateLimiter());
      const outside = await deps.rateLimiter();
      expect(again).toBe(ingest);
      expect(liveChart).not.toBe(ingest);
      expect(outside).not.toBe(ingest);
      expect(outside).not.toBe(liveChart);
    } finally {
      await deps.close();
    }
  });
});
