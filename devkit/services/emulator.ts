/**
 * A Docker-free, LocalStack-compatible AWS emulator for deploying the CDK app locally: MiniStack (PyPI
 * `ministack`, MIT, pure Python). It serves S3, Lambda (Node.js handlers run as local `node` processes),
 * API Gateway v2, EventBridge, Kinesis, event source mappings, CloudFormation, IAM, STS, SSM, Secrets
 * Manager and CloudWatch Logs on one port, like LocalStack's 4566. See docs/deploy.md.
 *
 * `python3 -m venv` + `pip install ministack==<version>` installs it once into
 * $TOP_SONGS_CACHE/ministack-<version>/. It runs in the foreground of a detached process,
 * `<venv>/bin/ministack`, bound to 127.0.0.1 (BIND_HOST) on EMULATOR_PORT (default 4566), in the run folder
 * $TOP_SONGS_STACK_DIR/emulator (tmp/ for MiniStack's own pid file and code caches, state/, logs/emulator.out,
 * emulator.pid). Lambda functions run on the `node` first on its PATH: this script's own Node (24), put first.
 * State is in memory: a restart forgets every stack (MiniStack can persist, PERSIST_STATE=1; not used here).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { portSetting, runOrFail, ServiceError, say } from './process.ts';
import { defineService, type ServiceLayout, type ServicePaths } from './service.ts';

/** The one place that pins MiniStack's version (PyPI). */
export const MINISTACK_VERSION = '1.5.33';
const REGION = 'us-east-1';
/** MiniStack accepts any credentials (AUTH is off); these are LocalStack's conventional ones. */
const ACCESS_KEY = 'test';
const SECRET_KEY = 'test';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
/** Marks MiniStack's process among others (see runningPid): the venv's entry point. */
const MARKER = `ministack-${MINISTACK_VERSION}/bin/ministack`;

/** What the emulator keeps of the environment it is started from. */
const INHERITED = ['HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'SSL_CERT_FILE', 'SSL_CERT_DIR'] as const;

interface EmulatorLayout extends ServiceLayout {
  readonly venvDir: string;
  readonly entryPoint: string;
  readonly tmpDir: string;
  readonly stateDir: string;
  readonly port: number;
  readonly endpoint: string;
}

function layout(paths: ServicePaths): EmulatorLayout {
  const venvDir = join(paths.cacheDir, `ministack-${MINISTACK_VERSION}`);
  const runDir = join(paths.runDir, 'emulator');
  const port = portSetting('EMULATOR_PORT', 4566);
  return {
    venvDir,
    entryPoint: join(venvDir, 'bin', 'ministack'),
    runDir,
    tmpDir: join(runDir, 'tmp'),
    stateDir: join(runDir, 'state'),
    outFile: join(runDir, 'logs', 'emulator.out'),
    pidFile: join(runDir, 'emulator.pid'),
    port,
    endpoint: `http://127.0.0.1:${port}`,
  };
}

/** Installs the pinned MiniStack into its own venv, once (the entry point's presence is the stamp). */
function install(emulator: EmulatorLayout): void {
  if (existsSync(emulator.entryPoint)) return;
  say(`emulator: installing ministack ${MINISTACK_VERSION} into ${emulator.venvDir} (once)`);
  const started = Date.now();
  rmSync(emulator.venvDir, { recursive: true, force: true });
  const python = 'install Python 3.10 or newer (with venv)';
  runOrFail('python3', ['-m', 'venv', emulator.venvDir], `python3 -m venv ${emulator.venvDir}`, python);
  runOrFail(
    join(emulator.venvDir, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', `ministack==${MINISTACK_VERSION}`],
    `pip install ministack==${MINISTACK_VERSION}`,
    python,
  );
  if (!existsSync(emulator.entryPoint)) {
    throw new ServiceError(`pip install ministack==${MINISTACK_VERSION} left no ${emulator.entryPoint}`);
  }
  say(`emulator: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Ready means: the health endpoint answers with MiniStack's version, and a real API call (STS
 * GetCallerIdentity, which the CDK CLI makes first) answers too.
 */
async function answers(emulator: EmulatorLayout): Promise<void> {
  const health = await fetch(`${emulator.endpoint}/_ministack/health`, {
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await health.json()) as { version?: string };
  if (!health.ok) throw new Error(`health: HTTP ${health.status}`);
  const sts = await fetch(`${emulator.endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/${REGION}/sts/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
    signal: AbortSignal.timeout(5_000),
  });
  const text = await sts.text();
  if (!sts.ok || !text.includes('<Account>'))
    throw new Error(`sts: HTTP ${sts.status} ${text.slice(0, 200)}`);
  if (body.version && body.version !== MINISTACK_VERSION) {
    say(
      `emulator: warning: ${emulator.endpoint} reports ministack ${body.version}, not ${MINISTACK_VERSION}`,
    );
  }
}

/** The settings that point the AWS SDK and CLIs at an emulator (its S3 at the same endpoint). */
export function emulatorSettings(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
  };
}

export const emulatorService = defineService<EmulatorLayout>({
  name: 'emulator',
  onlyWhenNamed: true,
  description: `LocalStack-compatible AWS emulator (MiniStack ${MINISTACK_VERSION}, PyPI ministack) on 127.0.0.1:4566, for cdklocal deploys`,
  marker: MARKER,
  stopTimeoutMs: STOP_TIMEOUT_MS,
  layout,
  ports: (emulator) => [{ port: emulator.port, setting: 'EMULATOR_PORT' }],
  install,
  prepare(emulator) {
    for (const dir of [emulator.tmpDir, emulator.stateDir]) mkdirSync(dir, { recursive: true });
  },
  start: (emulator, paths) => ({
    what: `ministack ${MINISTACK_VERSION}`,
    readyWhen: `it answers on ${emulator.endpoint}`,
    command: emulator.entryPoint,
    args: [],
    env: {
      // MiniStack hands its own environment to every function it runs, under the function's variables: a
      // KAFKA_BROKERS, LAKE_URI or AWS_ENDPOINT_URL of the shell (the other services') would redirect them.
      ...Object.fromEntries(
        INHERITED.filter((name) => process.env[name]).map((name) => [name, process.env[name]]),
      ),
      // Lambda handlers run on the first `node` on PATH: this one (Node 24, the functions' runtime).
      PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
      // Real Lambda's Node runtimes ship the AWS SDK v3; MiniStack's local executor does not, so CDK's own
      // helper functions (autoDeleteObjects' custom resource requires @aws-sdk/client-s3) would fail to
      // start and hang the deploy. CommonJS require() falls back to NODE_PATH: the project's SDK.
      NODE_PATH: join(paths.projectDir, 'node_modules'),
      BIND_HOST: '127.0.0.1',
      GATEWAY_PORT: String(emulator.port),
      MINISTACK_REGION: REGION,
      LAMBDA_EXECUTOR: 'local',
      TMPDIR: emulator.tmpDir,
      STATE_DIR: emulator.stateDir,
      LOG_LEVEL: process.env.EMULATOR_LOG_LEVEL || 'INFO',
    },
  }),
  readiness: (emulator) => ({
    what: 'ministack',
    timeoutMs: READY_TIMEOUT_MS,
    logFiles: [emulator.outFile],
    probe: () => answers(emulator),
  }),
  settings: (emulator) => emulatorSettings(emulator.endpoint),
  runningNote: (emulator) => `on ${emulator.endpoint}`,
});
