/**
 * The pool against a real (embedded) PostgreSQL whose server ends connections under it
 * (pg_terminate_backend sends the same goodbye as a shutdown or restart).
 */
import { connect, type Socket } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../devkit/wait-for.ts';
import { onConnection, resilientPool } from '../../../src/adapters/postgres/pool.ts';
import { StoreUnavailableError } from '../../../src/ports/chart-store.ts';
import { closedPort, type TcpServer, tcpServer } from '../support/net.ts';
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

describe('onConnection: the database out of reach is a StoreUnavailableError, anything else is not', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A pool, ended after the test. */
  function poolFor(config: pg.PoolConfig): pg.Pool {
    const pool = resilientPool({ max: 1, ...config }, () => {});
    cleanups.push(() => pool.end());
    return pool;
  }

  /** A TCP server of the test's own, closed after it. */
  async function serverForTest(onSocket?: (socket: Socket) => void): Promise<TcpServer> {
    const server = await tcpServer(onSocket);
    cleanups.push(() => server.close());
    return server;
  }

  const urlWithPort = (port: number) => {
    const url = new URL(databaseUrl());
    url.port = String(port);
    return url.toString();
  };

  /** What the operation (a query, or any work) failed with. */
  async function failureOf(
    pool: pg.Pool,
    timeoutMs: number,
    work: string | ((client: pg.PoolClient) => Promise<unknown>) = 'SELECT 1',
  ): Promise<unknown> {
    const run = typeof work === 'string' ? (client: pg.PoolClient) => client.query(work) : work;
    return onConnection(pool, timeoutMs, run).then(
      () => expect.unreachable('the operation succeeded'),
      (error: unknown) => error,
    );
  }

  it('a refused connection', async () => {
    const error = await failureOf(poolFor({ connectionString: urlWithPort(await closedPort()) }), 5_000);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe('PostgreSQL is unreachable (ECONNREFUSED)');
  });

  it('a server that takes the connection and never answers: given up on within the timeout', async () => {
    const silent = await serverForTest();
    // pg's own connect timeout is longer: the operation's deadline is what ends the wait.
    const pool = poolFor({ connectionString: urlWithPort(silent.port), connectionTimeoutMillis: 1_000 });
    const error = await failureOf(pool, 300);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe('PostgreSQL did not answer within 300 ms');
    // pg is still connecting when the operation fails (its own timeout has not fired): no clock needed.
    expect(pool.totalCount).toBe(1);
    expect(silent.sockets.length).toBe(1);
  });

  it('a connection cut under a query, which pg reports with no code', async () => {
    const upstreamPort = Number(new URL(databaseUrl()).port);
    const upstreams: Socket[] = [];
    const proxy = await serverForTest((socket) => {
      const upstream = connect(upstreamPort, '127.0.0.1');
      upstream.on('error', () => {});
      upstreams.push(upstream);
      socket.pipe(upstream).pipe(socket);
    });
    const pool = poolFor({ connectionString: urlWithPort(proxy.port) });
    const error = await failureOf(pool, 5_000, async (client) => {
      await client.query('SELECT 1');
      const query = client.query('SELECT pg_sleep(5)');
      // The network drops the connection: the client sees its socket end, and nothing from the server.
      for (const upstream of upstreams) upstream.destroy();
      for (const socket of proxy.sockets) socket.end();
      return query;
    });
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe('PostgreSQL is unreachable (connection lost)');
    expect(((error as Error).cause as Error).message).toBe('Connection terminated unexpectedly');
  });

  it('the server ending the connection (a shutdown or restart: 57P01)', async () => {
    const error = await failureOf(poolFor({ connectionString: databaseUrl() }), 5_000, async (client) => {
      const pid = await backendPid(client);
      const query = client.query('SELECT pg_sleep(5)');
      // It fails while `terminate` runs: handled here, so it is not an unhandled rejection meanwhile.
      query.catch(() => {});
      await terminate(pid);
      return query;
    });
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe('PostgreSQL is unreachable (57P01)');
  });

  it('a statement the server cancels at its statement timeout (57014)', async () => {
    const pool = poolFor({ connectionString: databaseUrl(), statement_timeout: 100 });
    const error = await failureOf(pool, 5_000, 'SELECT pg_sleep(2)');
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe('PostgreSQL is unreachable (57014)');
  });

  it('passes SQL errors and a refused password through unchanged: they are not outages', async () => {
    const sqlError = await failureOf(poolFor({ connectionString: databaseUrl() }), 5_000, 'SELECT nope');
    expect(sqlError).toBeInstanceOf(pg.DatabaseError);
    expect((sqlError as pg.DatabaseError).code).toBe('42703');
    const badPassword = new URL(databaseUrl());
    badPassword.password = 'wrong';
    const authError = await failureOf(poolFor({ connectionString: badPassword.toString() }), 5_000);
    expect(authError).toBeInstanceOf(pg.DatabaseError);
    expect((authError as pg.DatabaseError).code).toBe('28P01');
  });

  it('closes a connection whose work failed instead of reusing it', async () => {
    const pool = poolFor({ connectionString: databaseUrl() });
    const first = await onConnection(pool, 5_000, backendPid);
    expect(await onConnection(pool, 5_000, backendPid)).toBe(first);
    await failureOf(pool, 5_000, 'SELECT nope');
    expect(await onConnection(pool, 5_000, backendPid)).not.toBe(first);
  });
});
