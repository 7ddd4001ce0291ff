import { join, resolve } from 'node:path';
import { Duration, type RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { MIGRATIONS_DIR } from '../../src/adapters/postgres/migrate.ts';
import { RESTATEMENTS_PREFIX } from '../../src/domain/restatements.ts';
import type { FunctionDeclaration, FunctionName, TopicDeclaration } from '../../src/topology.ts';
import type { FunctionAccess } from '../function-access.ts';
import { acknowledgeBucketGrant, LAMBDA_BASIC_EXECUTION, managedPolicyFinding } from '../nag.ts';
import type { KafkaCluster } from './kafka-cluster.ts';
import type { KinesisStreams } from './kinesis-streams.ts';

const kafkaClient = '@platformatic/kafka';

/** The tag that names a deployed function's topology declaration (tests and operators read it). */
export const FUNCTION_TAG = 'top-songs:function';

/** ESM output still meets CommonJS dependencies that call `require` (pg, middy's plugins...). */
const REQUIRE_SHIM =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export interface DeployedFunction {
  readonly declaration: FunctionDeclaration;
  readonly fn: NodejsFunction;
}

export interface TopologyFunctionsProps {
  readonly declarations: readonly FunctionDeclaration[];
  readonly topics: Readonly<Record<string, TopicDeclaration>>;
  readonly access: Readonly<Record<FunctionName, FunctionAccess>>;
  /** Modules kept out of every bundle (native or local-only). */
  readonly neverBundled: readonly string[];
  /** Where the declarations' `entry` paths, package.json and package-lock.json are. */
  readonly projectRoot: string;
  readonly lake: { readonly bucket: IBucket; readonly uri: string };
  readonly databaseSecret: ISecret;
  /** The chat model of the functions that ask one (catalog-generate): its key's secret, model and server. */
  readonly openAi: {
    readonly secret: ISecret;
    readonly model?: string | undefined;
    readonly baseUrl?: string | undefined;
  };
  readonly kafka: KafkaCluster | undefined;
  /** The Kinesis transport's streams, when the stack uses that transport instead of Kafka. */
  readonly kinesis?: KinesisStreams | undefined;
  readonly regions: readonly string[];
  /** METRICS_NAMESPACE of every function: where its EMF metrics land in CloudWatch. */
  readonly metricsNamespace: string;
  readonly architecture: 'arm64' | 'x86_64';
  /** Where the database-using functions run when the database is in a VPC (RDS); absent: outside any VPC. */
  readonly vpc?: IVpc | undefined;
  readonly vpcSubnets?: SubnetSelection | undefined;
  readonly securityGroups?: readonly ISecurityGroup[] | undefined;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * One Lambda function per topology declaration, bundled locally with esbuild (no Docker), with exactly
 * the grants its `FunctionAccess` lists. Triggers are wired by the http-api, schedules and
 * topic-triggers constructs.
 */
export class TopologyFunctions extends Construct {
  readonly deployed: readonly DeployedFunction[];

  constructor(scope: Construct, id: string, props: TopologyFunctionsProps) {
    super(scope, id);
    const common = {
      LAKE_URI: props.lake.uri,
      REGIONS: props.regions.join(','),
      METRICS_NAMESPACE: props.metricsNamespace,
      ...topicEnvironment(props.topics),
      NODE_OPTIONS: '--enable-source-maps',
    };

    this.deployed = props.declarations.map((declaration) => {
      const access = props.access[declaration.name];
      const constructId = pascalCase(declaration.name);
      const nodeModules = [
        ...access.nodeModules,
        // The Kafka client reads a .wasm file next to its code at import time, which esbuild cannot bundle.
        ...(access.kafkaProducer && props.kafka ? [kafkaClient] : []),
      ];
      const logGroup = new LogGroup(this, `${constructId}Logs`, {
        retention: props.logRetention,
        removalPolicy: props.removalPolicy,
      });
      const fn = new NodejsFunction(this, constructId, {
        description: declaration.description,
        entry: resolve(props.projectRoot, declaration.entry),
        handler: 'handler',
        projectRoot: props.projectRoot,
        depsLockFilePath: resolve(props.projectRoot, 'package-lock.json'),
        runtime: Runtime.NODEJS_24_X,
        architecture: props.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
        memorySize: declaration.memoryMb,
        timeout: Duration.seconds(declaration.timeoutSeconds),
        logGroup,
        // Only database users: a VPC without NAT cuts a function off from everything but its endpoints.
        ...(access.database && props.vpc
          ? {
              vpc: props.vpc,
              vpcSubnets: props.vpcSubnets,
              securityGroups: [...(props.securityGroups ?? [])],
            }
          : {}),
        environment: {
          ...common,
          ...(access.database ? { DATABASE_SECRET_ARN: props.databaseSecret.secretArn } : {}),
          ...(access.kafkaProducer && props.kafka
            ? {
                KAFKA_BROKERS: props.kafka.bootstrapServers.join(','),
                KAFKA_SECRET_ARN: props.kafka.secret.secretArn,
                KAFKA_AUTHENTICATION_METHOD: props.kafka.authenticationMethod,
              }
            : {}),
          ...(access.kafkaProducer && props.kinesis ? { KINESIS_STREAM: props.kinesis.streamName } : {}),
          ...(access.openAiKey ? openAiEnvironment(props.openAi) : {}),
        },
        bundling: {
          forceDockerBundling: false,
          format: OutputFormat.ESM,
          mainFields: ['module', 'main'],
          banner: REQUIRE_SHIM,
          minify: true,
          sourceMap: true,
          // Replaces CDK's default (`@aws-sdk/*`): the SDK is bundled at the version package-lock.json pins.
          externalModules: [...props.neverBundled],
          // Only when there are some: an empty list would still run `npm ci` into the asset.
          ...(nodeModules.length > 0 ? { nodeModules } : {}),
          // The schema migrations are SQL files that the migrator reads beside the bundle (./migrations).
          ...(access.database ? { commandHooks: copyMigrations } : {}),
          // `npm ci` of nodeModules runs on the build machine: ask for the Lambda platform's binaries.
          environment: {
            npm_config_os: 'linux',
            npm_config_cpu: props.architecture === 'arm64' ? 'arm64' : 'x64',
            npm_config_libc: 'glibc',
          },
        },
      });
      Tags.of(fn).add(FUNCTION_TAG, declaration.name);

      if (access.lake === 'read') props.lake.bucket.grantRead(fn);
      if (access.lake === 'readWrite') props.lake.bucket.grantReadWrite(fn);
      if (access.clearsRestatementMarks) props.lake.bucket.grantDelete(fn, `${RESTATEMENTS_PREFIX}*`);
      if (access.database) props.databaseSecret.grantRead(fn);
      if (access.kafkaProducer && props.kafka) props.kafka.secret.grantRead(fn);
      if (access.openAiKey) props.openAi.secret.grantRead(fn);
      if (access.kafkaProducer && props.kinesis) {
        // The transport checks that its streams exist (DescribeStreamSummary) before it writes.
        for (const stream of [props.kinesis.plays, props.kinesis.deadLetters]) {
          stream.grantWrite(fn);
          stream.grant(fn, 'kinesis:DescribeStreamSummary');
        }
      }
      acknowledgeGrants(fn, access, props.lake.bucket);
      if (access.database && props.vpc) {
        Validations.of(fn).acknowledge({
          id: managedPolicyFinding('service-role/AWSLambdaVPCAccessExecutionRole'),
          reason:
            'The standard grant CDK attaches to a function in a VPC: create, describe and delete its own network interfaces.',
        });
      }
      return { declaration, fn };
    });
  }

  /** The function deployed for a declaration. */
  get(name: FunctionName): NodejsFunction {
    const found = this.deployed.find((deployed) => deployed.declaration.name === name);
    if (!found) throw new Error(`No deployed function named ${name}`);
    return found.fn;
  }
}

/** Bundling hooks (run on the build machine, not in Docker) that put the SQL migrations into the asset. */
const copyMigrations: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir, outputDir) => [
    `cp -R "${join(inputDir, MIGRATIONS_DIR)}" "${join(outputDir, 'migrations')}"`,
  ],
};

/** What cdk-nag (AwsSolutions) flags on a function's role, and why it is what we mean. */
function acknowledgeGrants(fn: NodejsFunction, access: FunctionAccess, bucket: IBucket): void {
  Validations.of(fn).acknowledge({
    id: LAMBDA_BASIC_EXECUTION,
    reason:
      'The standard Lambda logging grant (CloudWatch Logs create/put only) that CDK attaches to every function role.',
  });
  if (access.lake === 'none') return;
  acknowledgeBucketGrant(
    fn,
    bucket,
    access.lake,
    'the data lake; the function reads (and, for the writer, replaces) lake files by key.',
  );
  if (access.clearsRestatementMarks) acknowledgeMarkDeletes(fn, bucket);
}

/**
 * CDK's bucket.grantDelete() of the restatement marks: `s3:DeleteObject*` on `restatements/*` of the lake only, so
 * a chart job can clear the marks of windows it recomputed and delete nothing else.
 */
function acknowledgeMarkDeletes(fn: NodejsFunction, bucket: IBucket): void {
  const reason =
    "CDK's bucket.grantDelete() action group, on the lake's restatement marks (restatements/*) only: the chart " +
    'jobs clear the marks of the windows they recomputed.';
  const cfnBucket = bucket.node.defaultChild as CfnBucket | undefined;
  const bucketId = cfnBucket ? Stack.of(bucket).resolve(Stack.of(bucket).getLogicalId(cfnBucket)) : undefined;
  Validations.of(fn).acknowledge(
    ...[
      'Action::s3:DeleteObject*',
      ...(bucketId ? [`Resource::<${bucketId}.Arn>/${RESTATEMENTS_PREFIX}*`] : []),
    ].map((finding) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason })),
  );
}

/** OPENAI_SECRET_ARN, and OPENAI_MODEL / OPENAI_BASE_URL when configured (else the settings' defaults). */
function openAiEnvironment(openAi: TopologyFunctionsProps['openAi']): Record<string, string> {
  return {
    OPENAI_SECRET_ARN: openAi.secret.secretArn,
    ...(openAi.model ? { OPENAI_MODEL: openAi.model } : {}),
    ...(openAi.baseUrl ? { OPENAI_BASE_URL: openAi.baseUrl } : {}),
  };
}

/** `song-plays` under key `plays` → `TOPIC_PLAYS=song-plays`; `deadLetters` → `TOPIC_DEAD_LETTERS`. */
function topicEnvironment(topics: Readonly<Record<string, TopicDeclaration>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(topics).map(([key, topic]) => [
      `TOPIC_${key.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`,
      topic.name,
    ]),
  );
}

/** `lake-writer` → `LakeWriter`: stable construct ids, hence stable logical ids. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
