/**
 * The pool against a real (embedded) PostgreSQL whose server ends connections under it
 * (pg_terminate_backend sends the same goodbye as a shutdown or restart).
 */
import pg from 'pg';
import { expect, it } from 'vitest';
import { resilientPool } from '../../../src/adapters/postgres/pool.ts';
import { waitFor } from '../../support/wait-for.ts';
import { postgresForThisFile } from '../support/postgres.ts';

const databaseUrl = postgresForThisFile('pool');

/** Ends the server side of the connection whose backend is `pid`, from a connection of its own. */
async function terminate(pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl() });
  await admin.connect();
  try {
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
}

const backendPid = async (client: Pick<pg.ClientBase, 'query'>) =>
  (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

it('reports an idle connection the server ended, and answers the next query on a new one', async () => {
  const lost: string[] = [];
  const pool = resilientPool({ connectionString: databaseUrl(), max: 1 }, (error) =>
    lost.push(error.code ?? '?'),
  );
  try {
    const client = await pool.connect();
    const first = await backendPid(client);
    client.release();
    await terminate(first);
    await waitFor('the pool to notice', async () => (lost.length > 0 ? true : undefined));
    expect(lost).toEqual(['57P01']);
    expect(await backendPid(pool)).not.toBe(first);
  } finally {
    await pool.end();
  }
});

it('lets a connection in use be ended without an uncaught exception: its next query fails instead', async () => {
  const pool = resilientPool({ connectionString: databaseUrl(), max: 1 }, () => {});
  try {
    const client = await pool.connect();
    const pid = await backendPid(client);
    await terminate(pid);
    // Without the connection's own listener, the goodbye arriving here is an uncaught exception (vitest
    // fails the run on it).
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(true);
  } finally {
    await pool.end();
  }
});
