import type { Server } from 'node:http';
import { type AddressInfo, isIPv6 } from 'node:net';
import { join, resolve } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { prometheusMetrics } from '../src/adapters/metrics/prometheus.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../src/adapters/postgres/embedded.ts';
import { loadSettings, type Settings } from '../src/config/settings.ts';
import type { Clock } from '../src/ports/clock.ts';
import type { SongSource } from '../src/ports/song-source.ts';
import type { LogRecord } from '../src/ports/transport.ts';
import { functions, qualified, topics } from '../src/topology.ts';
import { createDependencies, type Dependencies, installDependencies } from '../src/wiring/dependencies.ts';
import { backgroundProcess, backgroundV8Helpers } from './background-priority.ts';
import { ensureCatalog } from './catalog.ts';
import { devApiKeyFile, ensureDevApiKey } from './dev-api-key.ts';
import { startEventLoopReport } from './event-loop-report.ts';
import { EventSourcePoller } from './event-source-poller.ts';
import { FunctionThread } from './function-thread.ts';
import { invokeFunction, projectRoot } from './functions.ts';
import { createGatewayAuthorizer } from './gateway-authorizer.ts';
import { RequestDrain } from './http-drain.ts';
import { createHttpServer } from './http-server.ts';
import { scheduledJobRunner } from './job-process.ts';
import { operationalEndpoints } from './operational.ts';
import { Scheduler } from './scheduler.ts';
import { databaseStartAdvice, lakeStartAdvice, listenAdvice, transportStartAdvice } from './start-advice.ts';
import { starting } from './startup-failure.ts';

export interface LocalRuntimeOptions {
  /** The environment to read settings from (process.env for `npm start`). */
  readonly env: Record<string, string | undefined>;
  /** The settings, when the caller has already read them from `env`. */
  readonly settings?: Settings;
  /** Fire schedule-triggered functions (default true); tests invoke jobs themselves. */
  readonly schedules?: boolean;
  readonly staticDir?: string;
  /** Where the lake's catalog comes from when it has none, written before the jobs first run. */
  readonly defaultCatalog?: SongSource;
  /**
   * The time every function and the gateway's authorizer cache go by (tests move it on); only with
   * `schedules: false`, as the scheduled jobs run in processes of their own, on the system's clock; the stream
   * functions then run in the runtime's own thread, not in a thread of their own (function-thread.ts).
   */
  readonly clock?: Clock;
}

export interface LocalRuntime {
  readonly url: string;
  /** The HTTP server (the api bench observes its requests' latency on it). */
  readonly server: Server;
  readonly settings: Settings;
  readonly dependencies: Dependencies;
  /** The embedded PostgreSQL server, when DATABASE_URL is not set. */
  readonly database: EmbeddedDatabase | undefined;
  /** The development API key (`apiKeyFile` holds it), for `Authorization: Bearer` on POST /v1/plays. */
  readonly apiKey: string;
  readonly apiKeyFile: string;
  /**
   * Stops without cutting short what was taken: new requests get 503 with Retry-After while the requests
   * in flight are answered, the pollers finish and commit their batch in flight and the running jobs end;
   * then the transport, the database and last the HTTP server close.
   */
  stop(): Promise<void>;
}

/**
 * The whole system in one process, read from the topology: an HTTP server for HTTP-triggered
 * functions, an event-source poller per topic-triggered function, a scheduler for the jobs.
 * A service that cannot start fails it with a StartupError, one sentence saying what to do.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  if (options.clock && (options.schedules ?? true)) {
    // The scheduled jobs run in processes of their own, on the system's clock.
    throw new Error('a clock of its own needs schedules: false (the test invokes the jobs itself)');
  }
  let settings = options.settings ?? loadSettings(options.env);
  const embedded = !settings.databaseUrl;
  const database = embedded ? await startEmbeddedPostgres(join(settings.dataDir, 'postgres')) : undefined;
  if (database) settings = { ...settings, databaseUrl: database.url };
  // The event loop first: V8's helpers and the embedded database yield the CPU to it (background-priority.ts).
  backgroundV8Helpers();
  if (database?.pid) backgroundProcess(database.pid);
  // Stopped together first (what is in flight), then closed one by one, last opened first.
  const quiesce: (() => Promise<void>)[] = [];
  const release: (() => Promise<void>)[] = [async () => database?.stop()];
  const drain = new RequestDrain();
  let server: Server | undefined;
  const stopAll = async () => {
    await Promise.allSettled(quiesce.map((stop) => stop()));
    for (const stop of release.reverse()) await stop();
    if (server) await drain.close(server);
  };
  if (settings.eventLoopReportSeconds) {
    const stopReport = startEventLoopReport(settings.eventLoopReportSeconds, (line) =>
      process.stderr.write(line),
    );
    release.push(async () => stopReport());
  }
  try {
    const metrics = prometheusMetrics();
    const dependencies = createDependencies(settings, options.clock, metrics);
    installDependencies(dependencies);
    release.push(() => dependencies.close());
    const apiKeys = await starting(...databaseStartAdvice(settings, embedded), () => dependencies.apiKeys());
    const { key: apiKey } = await ensureDevApiKey(apiKeys, settings.dataDir);
    const transport = await starting(...transportStartAdvice(settings), () => dependencies.transport());
    if (options.defaultCatalog) {
      const source = options.defaultCatalog;
      await starting(...lakeStartAdvice(dependencies.lake()), () =>
        ensureCatalog(dependencies.lake(), source, settings.regions, dependencies.clock),
      );
    }

    // API Gateway's authorizer step in front of the routes that name an authorizer (POST /v1/plays).
    const gateway = createGatewayAuthorizer(invokeFunction, dependencies.clock);
    server = createHttpServer(
      functions.flatMap((fn) =>
        fn.trigger.kind === 'http'
          ? [
              {
                functionName: fn.name,
                routes: fn.trigger.routes,
                // The server builds API Gateway v2 events (lambda-events.ts).
                invoke: (event: unknown) => gateway.invokeRoute(fn, event as APIGatewayProxyEventV2),
              },
            ]
          : [],
      ),
      {
        staticDir: resolve(options.staticDir ?? join(projectRoot, 'frontend', 'dist')),
        headersTimeoutMs: settings.http.headersTimeoutMs,
        requestTimeoutMs: settings.http.requestTimeoutMs,
        ingestCorsOrigins: settings.http.ingestCorsOrigins,
        drain,
        operational: operationalEndpoints(settings, metrics),
      },
    );
    const listening = server;
    await starting(...listenAdvice(settings.port), () =>
      listen(listening, settings.port, settings.http.host),
    );
    quiesce.push(() => drain.drain());

    // The stream functions in a thread, off the HTTP server's event loop (function-thread.ts); in this one only
    // when the runtime runs on a clock of its own (tests), which cannot cross to another thread.
    const thread = options.clock
      ? undefined
      : new FunctionThread({
          settings,
          metrics: dependencies.metrics,
          streamEvent: { kind: transport.eventSource, bootstrapServers: transport.bootstrapServers },
        });
    if (thread) release.push(() => thread.close());
    for (const fn of functions) {
      if (fn.trigger.kind !== 'topic') continue;
      const trigger = fn.trigger;
      const consumer = await starting(...transportStartAdvice(settings), () =>
        transport.consumer(
          qualified(trigger.topic, settings.namespace),
          qualified(fn.name, settings.namespace),
        ),
      );
      const poller = new EventSourcePoller({
        functionName: fn.name,
        trigger,
        consumer,
        deadLetters: { publisher: transport, topic: qualified(topics.deadLetters.name, settings.namespace) },
        ...(thread
          ? { invokeRecords: (records: readonly LogRecord[]) => thread.invoke(fn, records) }
          : { invoke: (event: unknown) => invokeFunction(fn.name, event) }),
        metrics: dependencies.metrics,
        eventSource: transport.eventSource,
        bootstrapServers: transport.bootstrapServers,
        // Records age by the runtime's clock, like everything else it runs (tests move it on).
        now: () => dependencies.clock().getTime(),
      });
      poller.start();
      quiesce.push(() => poller.stop());
    }

    if (options.schedules ?? true) {
      const runJob = scheduledJobRunner({ settings, metrics: dependencies.metrics });
      const scheduler = new Scheduler();
      quiesce.push(() => scheduler.stop());
      void scheduler.start(
        functions.flatMap((fn) =>
          fn.trigger.kind === 'schedule'
            ? [
                {
                  functionName: fn.name,
                  trigger: fn.trigger,
                  // Each run in a process of its own, ended after it, one at a time (job-process.ts).
                  invoke: (event: unknown) => runJob(fn, event),
                },
              ]
            : [],
        ),
      );
    }
    const { port } = server.address() as AddressInfo;
    return {
      url: reachableUrl(settings.http.host, port),
      server,
      settings: { ...settings, port },
      dependencies,
      database,
      apiKey,
      apiKeyFile: devApiKeyFile(settings.dataDir),
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
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
}

/** A URL this machine reaches the server at: loopback when it listens on every interface. */
function reachableUrl(host: string, port: number): string {
  const address = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${isIPv6(address) ? `[${address}]` : address}:${port}`;
}
