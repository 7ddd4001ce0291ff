import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export interface LocalProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Ends the process: SIGKILL for a crash, SIGTERM for a clean stop; resolves once it has exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/** Starts `npm start`'s entry point (`src/local/main.ts`) as a real process and waits until it serves. */
export async function startLocalProcess(
  env: Record<string, string>,
  args: string[] = [],
): Promise<LocalProcess> {
  // The lake is each test's own (its data folder, unless it passes LAKE_URI): a LAKE_URI exported for the
  // S3 tests (`npm run stack:up -- s3`) must not move every other test's lake into the bucket.
  // Likewise the transport settings (`npm run stack:up` prints them): a test runs on Kafka or Kinesis only
  // when it says so.
  const {
    LAKE_URI: _exportedLake,
    KINESIS_STREAM: _exportedStream,
    KAFKA_BROKERS: _exportedBrokers,
    ...inherited
  } = process.env;
  const child = spawn(process.execPath, [join(root, 'src/local/main.ts'), ...args], {
    cwd: root,
    env: { ...inherited, PORT: '0', POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Top Songs is running: (http:\/\/\S+:\d+)/.exec(output);
      if (match) resolveUrl(match[1]!);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`npm start exited with ${code} before serving:\n${output}`)),
    );
  });
  return {
    url,
    child,
    stop: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
