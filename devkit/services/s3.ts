/**
 * An S3-compatible server for the data lake: versitygw (Apache-2.0, Go) with its POSIX backend, for users
 * without Docker (docker-compose.yml runs MinIO instead; any S3-compatible server works).
 *
 * `go install github.com/versity/versitygw/cmd/versitygw@<version>` builds the binary once into
 * $TOP_SONGS_CACHE/versitygw-<version>/bin (Go's module and build caches stay Go's defaults). The run folder
 * ($TOP_SONGS_STACK_DIR/s3) holds the buckets (data/, one folder per bucket, one file per object), the object
 * metadata (meta/, a sidecar folder instead of extended attributes), the log (logs/) and the pid file.
 * The lake bucket is created with @aws-sdk/client-s3, the same client the platform uses.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { portSetting, ServiceError, say } from './process.ts';
import { defineService, type ServiceLayout, type ServicePaths } from './service.ts';

/** The one place that pins versitygw's version (a Go module version: a git tag). */
export const VERSITYGW_VERSION = 'v1.7.0';
const MODULE = 'github.com/versity/versitygw/cmd/versitygw';
export const LAKE_BUCKET = 'top-songs-lake';
/** Local-only root credentials, the same as docker-compose.yml's MinIO. */
const ACCESS_KEY = 'top-songs';
const SECRET_KEY = 'top-songs-secret';
const REGION = 'us-east-1';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

interface S3Layout extends ServiceLayout {
  readonly binary: string;
  readonly binDir: string;
  readonly dataDir: string;
  readonly metaDir: string;
  readonly port: number;
  readonly endpoint: string;
}

/** Where `install` builds the pinned versitygw (tests that run a server of their own start it from there). */
export function versitygwBinary(paths: ServicePaths): string {
  return join(paths.cacheDir, `versitygw-${VERSITYGW_VERSION}`, 'bin', 'versitygw');
}

/** versitygw's command line: its POSIX backend on 127.0.0.1:`port`, object metadata in a sidecar folder. */
export function versitygwArgs(port: number, metaDir: string, dataDir: string): string[] {
  return ['--port', `127.0.0.1:${port}`, '--quiet', 'posix', '--sidecar', metaDir, dataDir];
}

function layout(paths: ServicePaths): S3Layout {
  const binary = versitygwBinary(paths);
  const runDir = join(paths.runDir, 's3');
  const port = portSetting('S3_PORT', 7070);
  return {
    binary,
    binDir: dirname(binary),
    runDir,
    dataDir: join(runDir, 'data'),
    metaDir: join(runDir, 'meta'),
    pidFile: join(runDir, 'versitygw.pid'),
    outFile: join(runDir, 'logs', 'versitygw.out'),
    port,
    endpoint: `http://127.0.0.1:${port}`,
  };
}

/** Builds the pinned versitygw into the cache, once (the binary's presence is the stamp). */
function install(s3: S3Layout): void {
  if (existsSync(s3.binary)) return;
  say(
    `s3: building versitygw ${VERSITYGW_VERSION} with \`go install\` into ${s3.binDir} (once; a few minutes on 2 cores)`,
  );
  const started = Date.now();
  const result = spawnSync('go', ['install', `${MODULE}@${VERSITYGW_VERSION}`], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, GOBIN: s3.binDir },
  });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ServiceError(
        '`go` was not found on PATH: install Go 1.25 or newer; it builds versitygw once',
      );
    }
    throw result.error;
  }
  if (result.status !== 0 || !existsSync(s3.binary)) {
    throw new ServiceError(
      `go install ${MODULE}@${VERSITYGW_VERSION} failed:\n${`${result.stdout}\n${result.stderr}`.trim()}`,
    );
  }
  say(`s3: versitygw built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function client(s3: S3Layout): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    maxAttempts: 1,
  });
}

async function ensureBucket(s3: S3Layout): Promise<void> {
  const s3Client = client(s3);
  try {
    const { Buckets = [] } = await s3Client.send(new ListBucketsCommand({}));
    if (Buckets.some((bucket) => bucket.Name === LAKE_BUCKET)) {
      say(`s3: bucket ${LAKE_BUCKET} exists`);
      return;
    }
    await s3Client.send(new CreateBucketCommand({ Bucket: LAKE_BUCKET }));
    say(`s3: bucket ${LAKE_BUCKET} created`);
  } finally {
    s3Client.destroy();
  }
}

function settings(s3: S3Layout): Record<string, string> {
  return {
    LAKE_URI: `s3://${LAKE_BUCKET}/`,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
  };
}

export const s3Service = defineService<S3Layout>({
  name: 's3',
  description: `S3-compatible server (versitygw ${VERSITYGW_VERSION}, POSIX backend) with the lake bucket`,
  marker: 'versitygw',
  stopTimeoutMs: STOP_TIMEOUT_MS,
  layout,
  ports: (s3) => [{ port: s3.port, setting: 'S3_PORT' }],
  install,
  prepare(s3) {
    for (const dir of [s3.dataDir, s3.metaDir]) mkdirSync(dir, { recursive: true });
  },
  start: (s3) => ({
    what: `versitygw ${VERSITYGW_VERSION}`,
    readyWhen: `it answers on ${s3.endpoint}`,
    command: s3.binary,
    args: versitygwArgs(s3.port, s3.metaDir, s3.dataDir),
    env: { ...process.env, ROOT_ACCESS_KEY: ACCESS_KEY, ROOT_SECRET_KEY: SECRET_KEY },
  }),
  /** Ready means: an authenticated ListBuckets answers. */
  readiness(s3) {
    const s3Client = client(s3);
    return {
      what: 'versitygw',
      timeoutMs: READY_TIMEOUT_MS,
      logFiles: [s3.outFile],
      probe: async () => {
        await s3Client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(5_000) });
      },
      close: () => s3Client.destroy(),
    };
  },
  provision: ensureBucket,
  settings,
  runningNote: (s3) => `on ${s3.endpoint}; checking it answers`,
  keeps: (s3) => ({ what: 'objects', where: s3.dataDir }),
});
