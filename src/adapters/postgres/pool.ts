import pg from 'pg';

/**
 * A connection pool that survives the server going away (a restart, a shutdown): an idle connection it
 * drops is reported to `onConnectionLost` and reopened on the next use. A connection in use or being
 * closed (pool.end does not wait for the sockets) may get the server's goodbye too: without a listener of
 * its own that would be an uncaught exception; the query it serves fails, and that is where it shows.
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
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}
