import type { Server } from 'node:http';
import { type AddressInfo, isIPv6 } from 'node:net';
import { join, resolve } from 'node:path';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../adapters/postgres/embedded.ts';
import { loadSettings, type Settings } from '../config/settings.ts';
import type { Song } from '../domain/song.ts';
import { createDependencies, type Dependencies, installDependencies } from '../runtime/dependencies.ts';
import { functions, qualified, topics } from '../topology.ts';
import { ensureCatalog } from './catalog.ts';
import { EventSourcePoller } from './event-source-poller.ts';
import { invokeFunction, projectRoot } from './functions.ts';
import { createHttpServer } from './http-server.ts';
import { Scheduler } from './scheduler.ts';

export interface LocalRuntimeOptions {
  /** The environment to read settings from (process.env for `npm start`). */
  readonly env: Record<string, string | undefined>;
  /** Fire schedule-triggered functions (default true); tests invoke jobs themselves. */
  readonly schedules?: boolean;
  readonly staticDir?: string;
  /** Songs to write as the lake's catalog when it has none, before the jobs first run. */
  readonly defaultCatalog?: () => readonly Song[];
}

export interface LocalRuntime {
  readonly url: string;
  readonly settings: Settings;
  readonly dependencies: Dependencies;
  stop(): Promise<void>;
}

/**
 * The whole system in one process, read from the topology: an HTTP server for HTTP-triggered
 * functions, an event-source poller per topic-triggered function, a scheduler for the jobs.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  let settings = loadSettings(options.env);
  let database: EmbeddedDatabase | undefined;
  if (!settings.databaseUrl) {
    database = await startEmbeddedPostgres(join(settings.dataDir, 'postgres'));
    settings = { ...settings, databaseUrl: database.url };
  }
  const dependencies = createDependencies(settings);
  installDependencies(dependencies);
  const stops: (() => Promise<void>)[] = [async () => database?.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    await dependencies.chartStore();
    stops.push(() => dependencies.close());
    const transport = await dependencies.transport();
    if (options.defaultCatalog) await ensureCatalog(dependencies.lake(), options.defaultCatalog);

    const server = createHttpServer(
      functions.flatMap((fn) =>
        fn.trigger.kind === 'http'
          ? [
              {
                functionName: fn.name,
                routes: fn.trigger.routes,
                invoke: (event: unknown) => invokeFunction(fn.name, event),
              },
            ]
          : [],
      ),
      {
        staticDir: resolve(options.staticDir ?? join(projectRoot, 'frontend', 'dist')),
        headersTimeoutMs: settings.http.headersTimeoutMs,
        requestTimeoutMs: settings.http.requestTimeoutMs,
        ingestCorsOrigins: settings.http.ingestCorsOrigins,
      },
    );
    await listen(server, settings.port, settings.http.host);
    stops.push(() => close(server));

    for (const fn of functions) {
      if (fn.trigger.kind !== 'topic') continue;
      const poller = new EventSourcePoller({
        functionName: fn.name,
        trigger: fn.trigger,
        consumer: await transport.consumer(
          qualified(fn.trigger.topic, settings.namespace),
          qualified(fn.name, settings.namespace),
        ),
        deadLetters: { publisher: transport, topic: qualified(topics.deadLetters.name, settings.namespace) },
        invoke: (event) => invokeFunction(fn.name, event),
        eventSource: transport.eventSource,
        bootstrapServers: transport.bootstrapServers,
      });
      poller.start();
      stops.push(() => poller.stop());
    }

    if (options.schedules ?? true) {
      const scheduler = new Scheduler();
      stops.push(() => scheduler.stop());
      void scheduler.start(
        functions.flatMap((fn) =>
          fn.trigger.kind === 'schedule'
            ? [
                {
                  functionName: fn.name,
                  trigger: fn.trigger,
                  invoke: (event: unknown) => invokeFunction(fn.name, event),
                },
              ]
            : [],
        ),
      );
    }
    const { port } = server.address() as AddressInfo;
    return {
      url: reachableUrl(settings.http.host, port),
      settings: { ...settings, port },
      dependencies,
      stop: async () => {
        await stopAll();
        installDependencies(undefined);
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen());
  });
}

/** A URL this machine reaches the server at: loopback when it listens on every interface. */
function reachableUrl(host: string, port: number): string {
  const address = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${isIPv6(address) ? `[${address}]` : address}:${port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolveClose) => server.close(() => resolveClose()));
}
