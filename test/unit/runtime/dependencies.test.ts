import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/settings.ts';
import { createDependencies } from '../../../src/runtime/dependencies.ts';

describe('the chart store dependency', () => {
  let server: Server;
  let connections = 0;
  let port = 0;
  beforeAll(async () => {
    // A "database" that hangs up on every connection, and counts them.
    server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('retries a failed start on the next call instead of keeping the failure', async () => {
    const deps = createDependencies(
      loadSettings({ DATABASE_URL: `postgres://top:songs@127.0.0.1:${port}/top_songs` }),
    );
    await expect(deps.chartStore()).rejects.toThrow();
    await expect(deps.chartStore()).rejects.toThrow();
    expect(connections).toBe(2);
    await deps.close();
  });

  it('names both settings when neither DATABASE_URL nor DATABASE_SECRET_ARN is set', async () => {
    const deps = createDependencies(loadSettings({}));
    await expect(deps.chartStore()).rejects.toThrow(/Neither DATABASE_URL nor DATABASE_SECRET_ARN is set/);
  });
});
