import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from 'vitest';
import { portOpen } from '../../../devkit/services/process.ts';
import {
  defineService,
  type ServiceDefinition,
  type ServiceLayout,
  type ServicePaths,
} from '../../../devkit/services/service.ts';
import { isProcessAlive } from '../../../src/adapters/process-liveness.ts';
import { closedPort, tcpServer } from '../support/net.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

interface FakeLayout extends ServiceLayout {
  readonly port: number;
  readonly dataDir: string;
  readonly elsewhere: string;
}

/** A service made of a real detached process: a node script listening on a loopback port. */
function fakeService(dir: string, port: number, overrides: Partial<ServiceDefinition<FakeLayout>> = {}) {
  const script = join(dir, 'fake-server.mjs');
  writeFileSync(
    script,
    `import { createServer } from 'node:net';
createServer(() => {}).listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening'));`,
  );
  const calls = { install: 0, prepare: 0, provision: 0 };
  const definition: ServiceDefinition<FakeLayout> = {
    name: 'fake',
    description: 'a fake service',
    marker: script,
    stopTimeoutMs: 5_000,
    layout: (paths) => {
      const runDir = join(paths.runDir, 'fake');
      return {
        runDir,
        pidFile: join(runDir, 'fake.pid'),
        outFile: join(runDir, 'logs', 'fake.out'),
        port,
        dataDir: join(runDir, 'data'),
        elsewhere: join(dir, 'elsewhere'),
      };
    },
    ports: (layout) => [{ port: layout.port, setting: 'FAKE_PORT' }],
    install: () => {
      calls.install += 1;
    },
    prepare: (layout) => {
      calls.prepare += 1;
      mkdirSync(layout.dataDir, { recursive: true });
      mkdirSync(layout.elsewhere, { recursive: true });
    },
    start: (layout) => ({
      what: 'the fake server',
      readyWhen: `it answers on ${layout.port}`,
      command: process.execPath,
      args: [script, String(layout.port)],
    }),
    readiness: (layout) => ({
      what: 'the fake server',
      timeoutMs: 10_000,
      logFiles: [layout.outFile],
      probe: async () => {
        if (!(await portOpen(layout.port))) throw new Error('not listening yet');
      },
    }),
    provision: async () => {
      calls.provision += 1;
    },
    settings: (layout) => ({ FAKE_URL: `tcp://127.0.0.1:${layout.port}` }),
    runningNote: (layout) => `on ${layout.port}`,
    keeps: (layout) => ({ what: 'data', where: layout.dataDir }),
    cleanAlso: (layout) => [layout.elsewhere],
    ...overrides,
  };
  return { service: defineService(definition), layout: definition.layout, calls, script };
}

const pidIn = (file: string) => Number.parseInt(readFileSync(file, 'utf8'), 10);

describe('defineService (devkit/services/service.ts)', () => {
  let temp: TempDir;
  let paths: ServicePaths;
  let stderr: MockInstance<typeof process.stderr.write>;
  const said = () => stderr.mock.calls.map(([text]) => String(text).trimEnd());
  const started: number[] = [];

  beforeAll(async () => {
    temp = await tempDir('stack-service');
  });
  beforeEach(() => {
    const dir = join(temp.path, String(Math.random()).slice(2));
    mkdirSync(dir);
    paths = { cacheDir: dir, runDir: join(dir, 'stack'), projectDir: dir };
    stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
  });
  afterAll(async () => {
    for (const pid of started) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    await temp.remove();
  });

  it('installs, prepares, starts, waits until ready, provisions and exports; a second up reuses the process', async () => {
    const port = await closedPort();
    const { service, layout, calls } = fakeService(paths.cacheDir, port);
    const where = layout(paths);

    expect(await service.up(paths)).toEqual({ FAKE_URL: `tcp://127.0.0.1:${port}` });
    const pid = pidIn(where.pidFile);
    started.push(pid);
    expect(isProcessAlive(pid)).toBe(true);
    expect(await portOpen(port)).toBe(true);
    expect(calls).toEqual({ install: 1, prepare: 1, provision: 1 });
    expect(said()[0]).toBe(`fake: started the fake server (pid ${pid}); waiting until it answers on ${port}`);
    expect(said()[1]).toMatch(/^fake: ready in \d+\.\d s$/);

    expect(await service.up(paths)).toEqual({ FAKE_URL: `tcp://127.0.0.1:${port}` });
    expect(pidIn(where.pidFile)).toBe(pid);
    expect(calls).toEqual({ install: 1, prepare: 1, provision: 2 });
    expect(said().at(-1)).toBe(`fake: already running (pid ${pid}) on ${port}`);
  });

  it('down stops the process its pid file names and keeps the data; --clean removes the run folder and more', async () => {
    const port = await closedPort();
    const { service, layout } = fakeService(paths.cacheDir, port);
    const where = layout(paths);
    await service.up(paths);
    const pid = pidIn(where.pidFile);
    started.push(pid);

    await service.down(paths, { clean: false });
    expect(isProcessAlive(pid)).toBe(false);
    expect(existsSync(where.pidFile)).toBe(false);
    expect(existsSync(where.dataDir)).toBe(true);
    expect(said().slice(-3)).toEqual([
      `fake: stopping pid ${pid}`,
      'fake: stopped',
      `fake: data kept in ${where.dataDir} (\`--clean\` removes it)`,
    ]);

    await service.down(paths, { clean: true });
    expect(existsSync(where.runDir)).toBe(false);
    expect(existsSync(where.elsewhere)).toBe(false);
    expect(said().slice(-3)).toEqual([
      'fake: not running',
      `fake: removed ${where.runDir}`,
      `fake: removed ${where.elsewhere}`,
    ]);
  });

  it("down also ends the children the service left behind in its process group (MiniStack's Lambda workers)", async () => {
    const port = await closedPort();
    // A server that starts a worker of its own and, on SIGTERM, exits without stopping it.
    const parent = join(paths.cacheDir, 'fake-parent.mjs');
    const workerPidFile = join(paths.cacheDir, 'worker.pid');
    writeFileSync(
      parent,
      `import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
const worker = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
writeFileSync(${JSON.stringify(workerPidFile)}, String(worker.pid));
process.on('SIGTERM', () => process.exit(0));
createServer(() => {}).listen(${port}, '127.0.0.1');`,
    );
    const { service, layout } = fakeService(paths.cacheDir, port, {
      marker: parent,
      start: () => ({
        what: 'a server with a worker',
        readyWhen: 'it answers',
        command: process.execPath,
        args: [parent],
      }),
    });
    const where = layout(paths);
    await service.up(paths);
    const pid = pidIn(where.pidFile);
    const workerPid = pidIn(workerPidFile);
    started.push(pid, workerPid);
    expect(isProcessAlive(workerPid)).toBe(true);

    await service.down(paths, { clean: false });
    expect(isProcessAlive(pid)).toBe(false);
    expect(isProcessAlive(workerPid)).toBe(false);
  });

  it('never signals a process its pid file names unless its command line carries the marker', async () => {
    const { service, layout } = fakeService(paths.cacheDir, await closedPort());
    const where = layout(paths);
    mkdirSync(where.runDir, { recursive: true });
    // This test's own process: alive, but not the fake server.
    writeFileSync(where.pidFile, `${process.pid}\n`);
    await service.down(paths, { clean: false });
    expect(said()[0]).toBe('fake: not running');
    expect(existsSync(where.pidFile)).toBe(false);
  });

  it('refuses a taken port, naming the setting that moves it, before installing anything', async () => {
    const taken = await tcpServer();
    try {
      const { service, calls } = fakeService(paths.cacheDir, taken.port);
      await expect(service.up(paths)).rejects.toThrow(
        new RegExp(`fake: port ${taken.port} on 127.0.0.1 is already in use .* with FAKE_PORT`),
      );
      expect(calls).toEqual({ install: 0, prepare: 0, provision: 0 });
    } finally {
      await taken.close();
    }
  });

  it('fails with the log tail when the process exits while starting, and forgets its pid file', async () => {
    const { service, layout, calls } = fakeService(paths.cacheDir, await closedPort(), {
      start: () => ({
        what: 'a crashing server',
        readyWhen: 'never',
        command: process.execPath,
        args: ['-e', "console.log('cannot bind: boom'); process.exit(3)"],
      }),
    });
    await expect(service.up(paths)).rejects.toThrow(
      /fake: the fake server exited \(3\) while starting\. Last lines of .*fake\.out:\ncannot bind: boom/,
    );
    expect(existsSync(layout(paths).pidFile)).toBe(false);
    expect(calls.provision).toBe(0);
  });

  it('stops a process that is not ready in time, and forgets its pid file', async () => {
    const port = await closedPort();
    const { service, layout, calls } = fakeService(paths.cacheDir, port, {
      readiness: (where) => ({
        what: 'the fake server',
        timeoutMs: 1_000,
        logFiles: [where.outFile],
        probe: async () => {
          throw new Error('still warming up');
        },
      }),
    });
    const where = layout(paths);
    await expect(service.up(paths)).rejects.toThrow(
      /fake: not ready after 1 s \(last error: Error: still warming up\)/,
    );
    const pid = Number(/pid (\d+)/.exec(said()[0] ?? '')?.[1]);
    started.push(pid);
    expect(isProcessAlive(pid)).toBe(false);
    expect(existsSync(where.pidFile)).toBe(false);
    expect(calls.provision).toBe(0);
  });
});
