import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll } from 'vitest';
import { type AppConfig, loadAppConfig } from '../../../lib/config/app-config.ts';
import { FUNCTION_TAG } from '../../../lib/constructs/topology-functions.ts';
import { projectRoot } from '../../../lib/project-root.ts';
import { TopSongsStack } from '../../../lib/stacks/top-songs-stack.ts';

/** The feature flags the real app runs with, so tests synthesize what `cdk synth` would. */
const cdkJsonContext = (
  JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context: object }
).context;

/**
 * Where this test file's apps write their cloud assemblies: an App without `outdir` leaves a new `cdk.out…`
 * folder in the system's temp folder on every synth (thousands per run of the infra tests), so each App gets one
 * below a folder of the file's own, removed when the file's tests are done.
 */
const assemblies = mkdtempSync(join(tmpdir(), 'top-songs-cdk-test-'));
afterAll(() => rmSync(assemblies, { recursive: true, force: true }));
export const assemblyDir = (): string => mkdtempSync(join(assemblies, 'app-'));

export const kafkaContext = {
  bootstrapServers: ['b-1.kafka.example.internal:9096', 'b-2.kafka.example.internal:9096'],
  secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_top-songs-AbCdEf',
};

export interface Synthesized {
  readonly app: App;
  readonly stack: TopSongsStack;
  readonly template: Template;
  readonly config: AppConfig;
}

/**
 * The app and stack as bin/app.ts builds them, not yet synthesized: add validation plugins (cdk-nag) here.
 * Once synthesized (Template.fromStack), `app.synth()` returns the cached assembly and plugins never run.
 */
export function unsynthesized(context: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const app = new App({
    outdir: assemblyDir(),
    context: { ...cdkJsonContext, ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const config = loadAppConfig((key) => app.node.tryGetContext(key), env);
  const stack = new TopSongsStack(app, `TopSongs-${config.stage}`, { config, projectRoot });
  return { app, stack, config };
}

/** Synthesizes the stack from CDK context as bin/app.ts would, without bundling the functions. */
export function synth(context: Record<string, unknown> = {}, env: Record<string, string> = {}): Synthesized {
  const { app, stack, config } = unsynthesized(context, env);
  return { app, stack, config, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** Logical id → topology function name, read from the tag every topology function carries. */
export function topologyFunctionIds(template: Template): Map<string, string> {
  const ids = new Map<string, string>();
  for (const [id, resource] of Object.entries(resourcesOf(template, 'AWS::Lambda::Function'))) {
    const tags = (resource.Properties?.Tags ?? []) as { Key: string; Value: string }[];
    const name = tags.find((tag) => tag.Key === FUNCTION_TAG)?.Value;
    if (name) ids.set(id, name);
  }
  return ids;
}

/** The logical id in `{"Ref": id}` or `{"Fn::GetAtt": [id, ...]}`. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('Ref' in value && typeof value.Ref === 'string') return value.Ref;
  if ('Fn::GetAtt' in value && Array.isArray(value['Fn::GetAtt'])) return String(value['Fn::GetAtt'][0]);
  return undefined;
}

/** What every bucket of the stack must have: no public access, encryption at rest (S3-managed keys). */
export const privateBucketProperties = {
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  },
  BucketEncryption: {
    ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
  },
};
