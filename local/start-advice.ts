import { join } from 'node:path';
import { embeddedPostgresAdvice } from '../src/adapters/postgres/embedded.ts';
import type { Settings } from '../src/config/settings.ts';
import type { ObjectStore } from '../src/ports/object-store.ts';

/** What a service is called in a startup failure, and what to do when it cannot start. */
type StartAdvice = [what: string, advice: (error: NodeJS.ErrnoException) => string];

export function databaseStartAdvice(settings: Settings, embedded: boolean): StartAdvice {
  if (embedded) {
    const folder = join(settings.dataDir, 'postgres');
    return [`the embedded PostgreSQL in ${folder}`, () => embeddedPostgresAdvice(folder)];
  }
  return [
    `PostgreSQL at DATABASE_URL (${serverOf(settings.databaseUrl)})`,
    () => 'start it, or correct DATABASE_URL',
  ];
}

export function transportStartAdvice(settings: Settings): StartAdvice {
  if (settings.kafkaBrokers) {
    return [
      `Kafka at KAFKA_BROKERS (${settings.kafkaBrokers.join(',')})`,
      () => 'start it (npm run services:up -- kafka), or correct KAFKA_BROKERS',
    ];
  }
  if (settings.kinesisStream) {
    return [
      `the Kinesis stream KINESIS_STREAM (${settings.kinesisStream})`,
      () => 'check that it exists and answers (AWS_ENDPOINT_URL_KINESIS) and the AWS credentials',
    ];
  }
  return [
    `the embedded transport in ${join(settings.dataDir, 'transport')}`,
    () => 'stop the process that holds it, or set TOP_SONGS_DATA_DIR to another folder',
  ];
}

export function lakeStartAdvice(lake: ObjectStore): StartAdvice {
  const where = lake.describe();
  return [
    `the lake (${where})`,
    () =>
      where.startsWith('s3://')
        ? 'check that the S3 server answers (AWS_ENDPOINT_URL_S3), the bucket exists and the credentials, or correct LAKE_URI'
        : 'check that this user can write there, or set LAKE_URI to another folder',
  ];
}

export function listenAdvice(port: number): StartAdvice {
  return [
    `the HTTP server on port ${port}`,
    (error) =>
      error.code === 'EADDRINUSE'
        ? `port ${port} is in use: stop what uses it, or set PORT to another port (0 picks a free one)`
        : 'set PORT to a port this user may open (0 picks a free one)',
  ];
}

/** host:port/database of a connection URL, without its credentials. */
function serverOf(url: string | undefined): string {
  try {
    const parsed = new URL(url ?? '');
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return 'not a URL';
  }
}
