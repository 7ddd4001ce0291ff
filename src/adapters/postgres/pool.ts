import pg from 'pg';
import { StoreUnavailableError } from '../../ports/chart-store.ts';
import { withDeadline } from '../../ports/deadline.ts';
import { UNREACHABLE_ERRNOS } from '../network-errors.ts';
import { watcherOf } from './pool-report.ts';

/** Connections whose socket failed or was closed under them: what they were doing failed for that reason. */
const lostConnections = new WeakSet<pg.ClientBase>();

/**
 * A connection pool that survives the server going away (a restart, a shutdown): an idle connection it
 * drops is reported to `onConnectionLost` and reopened on the next use. A connection in use or being
 * closed (pool.end does not wait for the sockets) may get the server's goodbye too: without a listener of
 * its own that would be an uncaught exception; the query it serves fails, and that is where it shows
 * (`onConnection` then knows the connection was lost).
 */
export function resilientPool(
  config: pg.PoolConfig,
  onConnectionLost: (error: Error & { code?: string }) => void,
): pg.Pool {
  const pool = new pg.Pool(config);
  // While the pool is being closed (a shutdown), a dropped connection is expected, not worth reporting.
  pool.on('error', (error) => {
    if (!pool.ending) onConnectionLost(error);
  });
  // pg emits a connection's `error` before it fails the queries in flight (those on the next tick).
  pool.on('connect', (client) => client.on('error', () => lostConnections.add(client)));
  return pool;
}

/**
 * Runs `work` on one pooled connection, all of it (waiting for a connection included) within `timeoutMs`.
 * When the database cannot be reached, or the connection is lost or does not answer in time, it fails with
 * a StoreUnavailableError; other errors (SQL, constraints, bugs) pass unchanged. A connection whose work
 * failed is closed rather than reused: the server rolls back whatever transaction it held.
 */
export async function onConnection<T>(
  pool: pg.Pool,
  timeoutMs: number,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  let client: pg.PoolClient | undefined;
  let timedOut = false;
  const watched = watcherOf(pool)?.checkout();
  const release = (failure?: Error) => {
    const held = client;
    client = undefined;
    if (held) watched?.released();
    held?.release(failure);
  };
  const attempt = async () => {
    let acquired: pg.PoolClient;
    try {
      acquired = await pool.connect();
    } catch (error) {
      // Failing to connect is the database being out of reach, unless the server itself refused us (a bad
      // password, no such database): that is a misconfiguration, which waiting does not fix.
      throw unreachable(error, error instanceof pg.DatabaseError ? undefined : 'no connection') ?? error;
    }
    client = acquired;
    watched?.acquired();
    if (timedOut) {
      release(new Error('the operation timed out while connecting'));
      throw new StoreUnavailableError('PostgreSQL gave no connection in time');
    }
    try {
      const result = await work(acquired);
      release();
      return result;
    } catch (error) {
      release(error as Error);
      throw unreachable(error, lostConnections.has(acquired) ? 'connection lost' : undefined) ?? error;
    }
  };
  return withDeadline(attempt(), timeoutMs, () => {
    timedOut = true;
    // Closing the connection fails its query in flight, which ends `attempt`.
    release(new Error(`no answer within ${timeoutMs} ms`));
    return new StoreUnavailableError(`PostgreSQL did not answer within ${timeoutMs} ms`);
  });
}

/** One statement on a pooled connection within the timeout, as `onConnection` runs any operation. */
export type BoundedQuery = <R extends pg.QueryResultRow>(
  sql: string,
  values?: unknown[],
) => Promise<pg.QueryResult<R>>;

export function boundedQuery(pool: pg.Pool, timeoutMs: number): BoundedQuery {
  return (sql, values = []) => onConnection(pool, timeoutMs, (client) => client.query(sql, values));
}

const unreachableErrnos = new Set(UNREACHABLE_ERRNOS);

/**
 * SQLSTATEs of a server going away or not taking work: class 08 (connection exception), 57P01-57P03
 * (admin shutdown, crash shutdown, cannot connect now: starting or stopping), 53300 (too many connections),
 * 57014 (query canceled: the statement timeout).
 */
const unreachableSqlStates = /^(08...|57P0[123]|53300|57014)$/;

/**
 * The error as a StoreUnavailableError when it means the database is out of reach: by its code (SQLSTATE
 * or errno) or, for pg's own errors that carry none ("Connection terminated unexpectedly", pool timeouts),
 * by what the caller knows: `circumstance` says it happened while connecting, or on a lost connection.
 */
function unreachable(error: unknown, circumstance: string | undefined): StoreUnavailableError | undefined {
  const code = (error as { code?: unknown }).code;
  const known =
    typeof code === 'string' &&
    (error instanceof pg.DatabaseError ? unreachableSqlStates.test(code) : unreachableErrnos.has(code));
  if (!known && !circumstance) return undefined;
  // A code, never the message: that names hosts and ports, and this text reaches API clients.
  const reason = known ? code : circumstance;
  return new StoreUnavailableError(`PostgreSQL is unreachable (${reason})`, 5, { cause: error });
}
