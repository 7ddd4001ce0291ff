import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { devApiKeyFile, readApiKeyFile } from '../local/dev-api-key.ts';

const root = resolve(import.meta.dirname, '..');

/**
 * The test process's environment less what would move a local-mode child off its embedded defaults, and less
 * `alsoDropped`. The lake is each test's own (its data folder, unless it passes LAKE_URI): a LAKE_URI exported
 * for the S3 tests (`npm run services:up -- s3`) must not move every other test's lake into the bucket. Likewise
 * the transport settings (`npm run services:up` prints them): a test runs on Kafka or Kinesis only when it says so.
 */
export function localModeEnv(...alsoDropped: string[]): NodeJS.ProcessEnv {
  const dropped = new Set(['LAKE_URI', 'KINESIS_STREAM', 'KAFKA_BROKERS', ...alsoDropped]);
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !dropped.has(key)));
}

/** `npm run invoke -- <fn> --event -` with `event` on standard input, as a user runs it beside `npm start`. */
export async function invokeLocally(
  env: Record<string, string>,
  fn: string,
  event: unknown,
): Promise<string> {
  return new Promise((done, fail) => {
    const child = execFile(
      process.execPath,
      [join(root, 'local/invoke.ts'), fn, '--event', '-'],
      { cwd: root, env: { ...localModeEnv(), POWERTOOLS_LOG_LEVEL: 'WARN', ...env } },
      (error, stdout, stderr) => (error ? fail(new Error(`invoke ${fn} failed: ${stderr}`)) : done(stdout)),
    );
    child.stdin?.end(JSON.stringify(event));
  });
}

/**
 * The node flags `npm start` runs `local/main.ts` with (package.json's start script, `exec node <flags>
 * local/main.ts`: the V8 heap cap), so that a test or benchmark that starts the entry point itself runs it alike.
 */
export function startScriptNodeFlags(projectDir: string = root): string[] {
  const { scripts } = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const match = /\bnode((?:\s+--\S+)*)\s+local\/main\.ts\b/.exec(scripts.start);
  if (!match) throw new Error(`package.json's start script runs no "node … local/main.ts": ${scripts.start}`);
  return match[1]!.split(/\s+/).filter(Boolean);
}

export interface LocalProcess {
  readonly url: string;
  /** The development API key it created or kept (`<TOP_SONGS_DATA_DIR>/dev-api-key`). */
  readonly apiKey: string;
  readonly child: ChildProcess;
  /** Everything it has written so far, stdout and stderr. */
  output(): string;
  /** Ends the process: SIGKILL for a crash, SIGTERM for a clean stop; resolves once it has exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `npm start`'s entry point (`local/main.ts`) as a real process and waits until it serves; from
 * `projectDir` (default: this checkout); with `viaNpm`, as `npm start` itself (npm, then the runtime in it).
 * `stop(signal)` signals the process, or its whole group when it leads one (Ctrl-C in a terminal).
 */
export async function startLocalProcess(
  env: Record<string, string>,
  args: string[] = [],
  {
    projectDir = root,
    viaNpm = false,
    ownProcessGroup = false,
  }: {
    readonly projectDir?: string;
    readonly viaNpm?: boolean;
    /** Leads a process group of its own, as a command started from a terminal does (for Ctrl-C to it). */
    readonly ownProcessGroup?: boolean;
  } = {},
): Promise<LocalProcess> {
  const inherited = localModeEnv();
  const [command, commandArgs] = viaNpm
    ? ['npm', ['start', '--', ...args]]
    : [process.execPath, [...startScriptNodeFlags(projectDir), join(projectDir, 'local/main.ts'), ...args]];
  const child = spawn(command, commandArgs, {
    cwd: projectDir,
    env: { ...inherited, PORT: '0', POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownProcessGroup,
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
  const apiKey = await readApiKeyFile(devApiKeyFile(resolve(projectDir, env.TOP_SONGS_DATA_DIR ?? '.data')));
  if (!apiKey) throw new Error(`npm start served without writing its development API key:\n${output}`);
  return {
    url,
    apiKey,
    child,
    output: () => output,
    stop: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) {
        if (ownProcessGroup && child.pid) process.kill(-child.pid, signal);
        else child.kill(signal);
      }
      await exited;
    },
  };
}
