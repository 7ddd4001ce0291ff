import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { emulatorService, emulatorSettings } from '../../devkit/services/emulator.ts';
import { servicePaths } from '../../devkit/services/paths.ts';
import { postgresService } from '../../devkit/services/postgres.ts';
import { ServiceError, say } from '../../devkit/services/process.ts';
import type { ServicePaths } from '../../devkit/services/service.ts';
import { ensureApiKeyFile } from '../../local/dev-api-key.ts';
import { loadSettings } from '../../src/config/settings.ts';
import { createDependencies } from '../../src/wiring/dependencies.ts';
import type { DeployedStack } from './smoke.ts';

/** The account every LocalStack-compatible emulator answers with. */
const EMULATOR_ACCOUNT = '000000000000';
/** The API key deploy:local keeps for the deployed POST /v1/plays (beside the outputs file, as `api-key`). */
const DEPLOY_KEY_NAME = 'deploy-local';

export interface EmulatorDeployment {
  readonly stack: DeployedStack;
  readonly endpoint: string;
  readonly region: string;
  /** The emulator's (any-value) credentials. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Every output of the deployed stack, by name. */
  readonly outputs: Readonly<Record<string, string>>;
  /** A key in use for the deployed POST /v1/plays, kept in `apiKeyFile` (mode 600). */
  readonly apiKey: string;
  readonly apiKeyFile: string;
}

export interface EmulatorDeployOptions {
  /** More `cdklocal deploy` arguments, e.g. `-c stage=smoke`. */
  readonly extraArgs?: readonly string[];
  readonly outputsFile: string;
}

/**
 * The emulator to deploy to: the one at AWS_ENDPOINT_URL when that is set (LocalStack, or any compatible
 * emulator already running; its S3 at the same endpoint), otherwise the stack's MiniStack, started if needed.
 */
async function targetEmulator(paths: ServicePaths): Promise<Record<string, string>> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) return emulatorService.up(paths);
  say(`deploy:local: deploying to the emulator at AWS_ENDPOINT_URL=${endpoint}`);
  const { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = process.env;
  // The user's region and credentials where given, the emulator defaults otherwise.
  return {
    ...emulatorSettings(endpoint),
    ...(AWS_REGION ? { AWS_REGION } : {}),
    ...(AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY ? { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } : {}),
  };
}

/**
 * Starts the emulator (unless AWS_ENDPOINT_URL names one) and PostgreSQL (when not running), bootstraps and deploys the CDK app with the
 * Kinesis transport and this machine's architecture, and points the stack's database secret at PostgreSQL.
 */
export async function deployToEmulator(options: EmulatorDeployOptions): Promise<EmulatorDeployment> {
  const paths = servicePaths();
  const aws = await targetEmulator(paths);
  const { DATABASE_URL: databaseUrl } = await postgresService.up(paths);
  const endpoint = aws.AWS_ENDPOINT_URL!;
  const region = aws.AWS_REGION!;
  const credentials = { accessKeyId: aws.AWS_ACCESS_KEY_ID!, secretAccessKey: aws.AWS_SECRET_ACCESS_KEY! };
  const env = { ...process.env, ...aws };
  const cdklocal = join(paths.projectDir, 'node_modules', '.bin', 'cdklocal');
  const architecture = process.arch === 'arm64' ? 'arm64' : 'x86_64';

  await run(cdklocal, ['bootstrap', `aws://${EMULATOR_ACCOUNT}/${region}`], env, paths.projectDir);
  mkdirSync(dirname(options.outputsFile), { recursive: true });
  await run(
    cdklocal,
    [
      'deploy',
      '--require-approval',
      'never',
      '--outputs-file',
      options.outputsFile,
      '-c',
      'transport=kinesis',
      '-c',
      `architecture=${architecture}`,
      // No dashboard site: CDK's BucketDeployment handler runs /opt/awscli/aws from its Lambda layer, and
      // MiniStack's local executor unpacks layers elsewhere (docs/deploy.md, "The dashboard site").
      '-c',
      'site=none',
      ...(options.extraArgs ?? []),
    ],
    env,
    paths.projectDir,
  );
  const [stackName, outputs] = Object.entries(
    JSON.parse(readFileSync(options.outputsFile, 'utf8')) as Record<string, Record<string, string>>,
  )[0] ?? [undefined, undefined];
  if (!stackName || !outputs?.ApiUrl || !outputs.LakeBucketName || !outputs.DatabaseSecretArn) {
    throw new ServiceError(`${options.outputsFile} lacks ApiUrl, LakeBucketName or DatabaseSecretArn`);
  }

  const secrets = new SecretsManagerClient({ region, endpoint, credentials });
  try {
    await secrets.send(
      new PutSecretValueCommand({ SecretId: outputs.DatabaseSecretArn, SecretString: databaseUrl }),
    );
  } finally {
    secrets.destroy();
  }
  say(`deploy:local: the database secret now holds the URL of the stack's PostgreSQL`);
  const apiKeyFile = join(dirname(options.outputsFile), 'api-key');
  const apiKey = await ensureDeployKey(databaseUrl!, apiKeyFile);
  return {
    stack: { stackName, apiUrl: outputs.ApiUrl, lakeBucket: outputs.LakeBucketName },
    endpoint,
    region,
    credentials,
    outputs,
    apiKey,
    apiKeyFile,
  };
}

/**
 * An API key in the deployed database for the smoke test and the user's own calls: the one in `file` while
 * it is in use, else a new `deploy-local` key written there. Created as `npm run keys` would, straight in
 * the PostgreSQL the functions use (migrated first, as they would on first use).
 */
async function ensureDeployKey(databaseUrl: string, file: string): Promise<string> {
  const dependencies = createDependencies(loadSettings({ DATABASE_URL: databaseUrl }));
  try {
    const { key, created } = await ensureApiKeyFile(await dependencies.apiKeys(), file, DEPLOY_KEY_NAME, {
      requests: 100,
      windowSeconds: 1,
    });
    say(
      `deploy:local: API key "${DEPLOY_KEY_NAME}" for POST /v1/plays ${created ? 'created' : 'kept'} in ${file}`,
    );
    return key;
  } finally {
    await dependencies.close();
  }
}

/** Runs a CLI with its output on stderr (stdout of this process stays clean); fails on a non-zero exit. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
  say(`$ ${['cdklocal', ...args].join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.pipe(process.stderr);
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new ServiceError(`cdklocal ${args[0]} exited with ${code ?? signal}`)),
    );
  });
}
