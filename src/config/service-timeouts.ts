/**
 * How long a function may wait on a service (the transport, the database), within its own timeout: the
 * settings KAFKA_PUBLISH_TIMEOUT_MS and DATABASE_TIMEOUT_MS must fit, and unset they take the most that fits.
 */
import { SettingsError } from './settings.ts';

/** What a function needs, besides opening a service and using it, to answer. */
const ANSWER_MARGIN_MS = 2_000;

/**
 * How long a function may wait on a service so that it answers 503 with Retry-After before it times out:
 * opening the service (a cold start) and using it may each take this long, and 2 s are left to answer.
 * The setting, when given, must fit; unset, the most that fits (4 s for a 10 s function).
 */
function serviceTimeoutWithin(
  wait: { setting: string; fn: string; what: string; activity: string },
  functionTimeoutSeconds: number,
  configuredMs?: number,
): number {
  const most = Math.floor((functionTimeoutSeconds * 1000 - ANSWER_MARGIN_MS) / 2);
  if (most <= 0) {
    throw new SettingsError(
      `a function timeout of ${functionTimeoutSeconds} s leaves no time to ${wait.activity}`,
    );
  }
  if (configuredMs === undefined) return most;
  if (configuredMs > most) {
    throw new SettingsError(
      `Invalid settings: ${wait.setting} ${configuredMs} does not fit ${wait.fn}'s timeout of ` +
        `${functionTimeoutSeconds} s (${wait.what} may each take that long, and ` +
        `answering needs ${ANSWER_MARGIN_MS} ms); at most ${most}`,
    );
  }
  return configuredMs;
}

/** KAFKA_PUBLISH_TIMEOUT_MS within ingest's function timeout (serviceTimeoutWithin). */
export const publishTimeoutWithin = (functionTimeoutSeconds: number, configuredMs?: number): number =>
  serviceTimeoutWithin(
    {
      setting: 'KAFKA_PUBLISH_TIMEOUT_MS',
      fn: 'ingest',
      what: 'opening the transport and publishing',
      activity: 'publish',
    },
    functionTimeoutSeconds,
    configuredMs,
  );

/**
 * DATABASE_TIMEOUT_MS within the charts API's function timeout: at a cold start, opening the database
 * (connecting, migrating) and reading the chart may each take this long (serviceTimeoutWithin).
 */
export const databaseTimeoutWithin = (functionTimeoutSeconds: number, configuredMs?: number): number =>
  serviceTimeoutWithin(
    {
      setting: 'DATABASE_TIMEOUT_MS',
      fn: 'charts-api',
      what: 'opening the database and reading a chart',
      activity: 'read the database',
    },
    functionTimeoutSeconds,
    configuredMs,
  );
