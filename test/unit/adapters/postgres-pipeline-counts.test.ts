/**
 * Ingest's counts against a real (embedded) PostgreSQL: requests of any number of processes add to the same few
 * rows at once, so they must take those rows in one order. Two requests that name the same regions in opposite
 * orders, queued behind a third transaction holding one row, must both add theirs: in their own orders they
 * deadlocked, and PostgreSQL failed one of them a second later (its counts lost).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../devkit/wait-for.ts';
import { PostgresPipelineCountStore } from '../../../src/adapters/postgres/pipeline-counts.ts';
import type { HourCount, RejectionCount } from '../../../src/domain/pipeline-counts.ts';
import { chartStoreForThisFile } from '../support/postgres.ts';

const hour = new Date('2026-12-06T22:00:00Z');
const database = chartStoreForThisFile('pipeline-counts');
let store: PostgresPipelineCountStore;
beforeAll(() => {
  store = new PostgresPipelineCountStore(database.pool(), 10_000);
});

const accepted = (...regions: string[]): HourCount[] => regions.map((region) => ({ hour, region, count: 1 }));
const rejected = (...regions: string[]): RejectionCount[] =>
  regions.map((region) => ({ hour, region, reason: 'invalid_song_id', count: 1 }));

async function totals(table: 'ingest_accepted' | 'ingest_rejected'): Promise<Record<string, number>> {
  const column = table === 'ingest_accepted' ? 'deliveries' : 'events';
  const { rows } = await database
    .pool()
    .query<{ region: string; n: string }>(`SELECT region, ${column} AS n FROM ${table} WHERE hour = $1`, [
      hour,
    ]);
  return Object.fromEntries(rows.map((row) => [row.region, Number(row.n)]));
}

/** Statements of this database waiting for a lock: a request has reached the row another transaction holds. */
const lockWaiters = async (count: number) => {
  const { rows } = await database
    .pool()
    .query<{ n: number }>('SELECT count(*)::integer AS n FROM pg_locks WHERE NOT granted');
  return rows[0]!.n >= count ? true : undefined;
};

describe('ingest counts in PostgreSQL', () => {
  it('adds two requests naming the same rows in opposite orders, queued behind a third, without a deadlock', async () => {
    await store.addIngest(accepted('de', 'us'), []);
    const holder = await database.pool().connect();
    try {
      await holder.query('BEGIN');
      // The third transaction holds the row both requests need first in one order: de.
      await holder.query(`SELECT 1 FROM ingest_accepted WHERE hour = $1 AND region = 'de' FOR UPDATE`, [
        hour,
      ]);
      const first = store.addIngest(accepted('de', 'us'), []);
      await waitFor('the first request to wait for the held row', () => lockWaiters(1));
      // In its own order, this one would take us, then wait for de, which the first takes next and keeps
      // while it waits for us: a deadlock.
      const second = store.addIngest(accepted('us', 'de'), []);
      await waitFor('the second request to wait too', () => lockWaiters(2));
      await holder.query('COMMIT');
      await Promise.all([first, second]);
    } finally {
      holder.release();
    }
    expect(await totals('ingest_accepted')).toEqual({ de: 3, us: 3 });
  });

  it('adds every one of many concurrent requests exactly, whatever order each names its rows in', async () => {
    const before = { accepted: await totals('ingest_accepted'), rejected: await totals('ingest_rejected') };
    const regions = ['us', 'gb', 'de', 'fr', 'br', 'in'];
    // Each request names the regions rotated by its index: every pair of orders occurs.
    const requests = Array.from({ length: 60 }, (_, index) => {
      const order = [...regions.slice(index % regions.length), ...regions.slice(0, index % regions.length)];
      return store.addIngest(accepted(...order), rejected(...order.reverse()));
    });
    await Promise.all(requests);
    const after = { accepted: await totals('ingest_accepted'), rejected: await totals('ingest_rejected') };
    for (const region of regions) {
      expect(after.accepted[region]! - (before.accepted[region] ?? 0)).toBe(60);
      expect(after.rejected[region]! - (before.rejected[region] ?? 0)).toBe(60);
    }
  });
});
