/**
 * An S3-compatible server of a test's own, to stop and start at will: the versitygw that `npm run services:up -- s3`
 * builds into the cache, on a free port, with its data in a folder of its own. The shared server is never touched.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../src/adapters/postgres/embedded.ts';
import { skipWithout } from './required.ts';
import { servicePaths } from './services/paths.ts';
import { versitygwArgs, versitygwBinary } from './services/s3.ts';
import { waitFor } from './wait-for.ts';

const binary = versitygwBinary(servicePaths());

/** Why a test needing its own S3 server cannot run here, or undefined when it can (TOP_SONGS_REQUIRE_S3=1: must). */
export const ownS3ServerSkipped = skipWithout('S3', existsSync(binary), `there is no versitygw at ${binary}`)
  ? `skipped: no versitygw at ${binary}; \`npm run services:up -- s3\` builds it once`
  : undefined;

export interface OwnS3Server {
  readonly port: number;
  readonly endpoint: string;
  /** Stops the server process (SIGTERM) and waits until it has exited: the server is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder, and waits until it answers. */
  start(): Promise<void>;
}

/**
 * Starts versitygw with its data under `dir`, root credentials `credentials` (what the SDK will sign with),
 * and `bucket` created.
 */
export async function startOwnS3Server(options: {
  readonly dir: string;
  readonly bucket: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}): Promise<OwnS3Server> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const [dataDir, metaDir] = [join(options.dir, 'data'), join(options.dir, 'meta')];
  await mkdir(dataDir, { recursive: true });
  await mkdir(metaDir, { recursive: true });
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: options.credentials,
    maxAttempts: 1,
  });
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    output = '';
    const started = spawn(binary, versitygwArgs(port, metaDir, dataDir), {
      env: {
        ...process.env,
        ROOT_ACCESS_KEY: options.credentials.accessKeyId,
        ROOT_SECRET_KEY: options.credentials.secretAccessKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    for (const stream of [started.stdout, started.stderr]) stream?.on('data', (chunk) => (output += chunk));
    await waitFor(`versitygw to answer on ${endpoint}`, async () => {
      if (started.exitCode !== null) throw new Error(`versitygw exited with ${started.exitCode}: ${output}`);
      await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(2_000) });
      return true;
    });
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const killer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };

  await start();
  try {
    await client.send(new CreateBucketCommand({ Bucket: options.bucket }));
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, endpoint, start, stop };
}
