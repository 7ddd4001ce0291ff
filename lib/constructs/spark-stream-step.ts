import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Size, Stack, Validations } from 'aws-cdk-lib';
import { CfnCluster, CfnStep } from 'aws-cdk-lib/aws-emr';
import { CfnInstanceProfile, ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { zipSync } from 'fflate';
import type { StreamJobDeclaration } from '../../src/topology.ts';
import type { EmrConfig } from '../config/app-config.ts';
import { acknowledgeBucketDeployment, acknowledgeBucketGrant, managedPolicyFinding } from '../nag.ts';
import { stackOutput } from '../stack-output.ts';

export interface SparkStreamStepProps {
  /** The job, as declared in src/topology.ts (`streamJobs`). */
  readonly job: StreamJobDeclaration;
  readonly projectRoot: string;
  /** The lake: the job writes it, and its `code/spark/` prefix holds the job's code and jars. */
  readonly bucket: IBucket;
  readonly bootstrapServers: readonly string[];
  readonly regions: readonly string[];
  readonly emr: EmrConfig;
}

/** Key prefix of everything the step runs, in the lake bucket. */
export const SPARK_CODE_PREFIX = 'code/spark/';

/**
 * The Spark streaming job (spark/top_songs_stream) as a step of an always-on EMR cluster:
 * - `code/spark/<job>/`: `main.py` (calls the package's `main()`) and `<package>.zip` for `--py-files`,
 *   zipped at synth time from the job's folder;
 * - `code/spark/jars/spark-<version>/`: the connector jars, uploaded from `emr.jarsDir`, the folder
 *   `bash spark/setup.sh` fills (synth fails, saying so, when it holds no jar);
 * - an EMR cluster (primary + core instance groups) kept alive without steps, with its own roles;
 * - a `command-runner.jar` step running `spark-submit --deploy-mode cluster` with the topology's topic and
 *   trigger, and the job's environment (KAFKA_BROKERS, LAKE_URI, REGIONS) as the driver's
 *   (`spark.yarn.appMasterEnv.*`).
 */
export class SparkStreamStep extends Construct {
  readonly cluster: CfnCluster;
  readonly step: CfnStep;
  /** The spark-submit command line of the step (tokens for the bucket name). */
  readonly args: readonly string[];

  constructor(scope: Construct, id: string, props: SparkStreamStepProps) {
    super(scope, id);
    const { job, bucket, emr } = props;
    const packageName = job.entry.split('/').at(-1) as string;
    const codePrefix = `${SPARK_CODE_PREFIX}${job.name}/`;
    const jarsPrefix = `${SPARK_CODE_PREFIX}jars/spark-${job.sparkVersion}/`;
    const s3 = (key: string) => `s3://${bucket.bucketName}/${key}`;

    const jars = jarFiles(emr.jarsDir);
    const code = new BucketDeployment(this, 'Code', {
      sources: [Source.asset(stageCode(join(props.projectRoot, job.entry), packageName))],
      destinationBucket: bucket,
      destinationKeyPrefix: codePrefix,
    });
    const jarsDeployment = new BucketDeployment(this, 'Jars', {
      sources: [Source.asset(emr.jarsDir, { exclude: ['*', '!*.jar'] })],
      destinationBucket: bucket,
      destinationKeyPrefix: jarsPrefix,
      // About 545 MB of jars (the AWS SDK bundle is most of it): the copy holds the zip and its contents.
      memoryLimit: 2048,
      ephemeralStorageSize: Size.gibibytes(4),
    });

    const serviceRole = new Role(this, 'ServiceRole', {
      assumedBy: new ServicePrincipal('elasticmapreduce.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEMRServicePolicy_v2')],
      description: 'EMR service role of the Spark streaming cluster',
    });
    const instanceRole = new Role(this, 'InstanceRole', {
      assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
      description:
        'EC2 instance role (job flow role) of the Spark streaming cluster: the lake, its code and logs',
    });
    bucket.grantReadWrite(instanceRole);
    const instanceProfile = new CfnInstanceProfile(this, 'InstanceProfile', {
      roles: [instanceRole.roleName],
    });

    this.cluster = new CfnCluster(this, 'Cluster', {
      name: `${Stack.of(this).stackName}-${job.name}`,
      releaseLabel: emr.releaseLabel,
      applications: [{ name: 'Spark' }],
      serviceRole: serviceRole.roleArn,
      jobFlowRole: instanceProfile.ref,
      logUri: s3('logs/emr/'),
      instances: {
        masterInstanceGroup: {
          name: 'Primary',
          instanceCount: 1,
          instanceType: emr.primaryInstanceType,
          market: 'ON_DEMAND',
        },
        coreInstanceGroup: {
          name: 'Core',
          instanceCount: emr.coreInstanceCount,
          instanceType: emr.coreInstanceType,
          market: 'ON_DEMAND',
        },
        // A streaming job is meant to run forever; the cluster must not end when no step is left.
        keepJobFlowAliveWhenNoSteps: true,
        terminationProtected: false,
        ec2SubnetId: emr.subnetId,
      },
      // AmazonEMRServicePolicy_v2 only acts on resources carrying this tag.
      tags: [{ key: 'for-use-with-amazon-emr-managed-policies', value: 'true' }],
    });
    // The instance role's lake grant must exist before the instances start.
    this.cluster.node.addDependency(instanceRole);

    const env: Record<string, string> = {
      KAFKA_BROKERS: props.bootstrapServers.join(','),
      LAKE_URI: `s3://${bucket.bucketName}/`,
      REGIONS: props.regions.join(','),
      // The job builds its session with master SPARK_MASTER (else local[2]); on YARN it must be yarn.
      SPARK_MASTER: 'yarn',
    };
    this.args = [
      'spark-submit',
      '--deploy-mode',
      'cluster',
      ...Object.entries(env).flatMap(([name, value]) => [
        '--conf',
        `spark.yarn.appMasterEnv.${name}=${value}`,
      ]),
      '--jars',
      jars.map((jar) => s3(`${jarsPrefix}${jar}`)).join(','),
      '--py-files',
      s3(`${codePrefix}${packageName}.zip`),
      s3(`${codePrefix}main.py`),
      '--topic',
      job.topic,
      '--trigger-seconds',
      String(job.triggerSeconds),
    ];
    this.step = new CfnStep(this, 'Step', {
      jobFlowId: this.cluster.ref,
      name: job.name,
      // A failed streaming job leaves the cluster up for its logs and a new step.
      actionOnFailure: 'CONTINUE',
      hadoopJarStep: { jar: 'command-runner.jar', args: [...this.args] },
    });
    this.step.node.addDependency(code, jarsDeployment);
    stackOutput(this, `EmrCluster-${job.name}`, {
      value: this.cluster.ref,
      description: `EMR cluster running the ${job.name} step (always on: it costs until deleted)`,
    });

    acknowledgeFindings(this.cluster, serviceRole, instanceRole, [code, jarsDeployment], bucket);
  }
}

/** The `.jar` files of the folder spark/setup.sh fills, sorted; synth stops with the fix when there are none. */
function jarFiles(jarsDir: string): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(jarsDir).filter((name) => name.endsWith('.jar'));
  } catch {
    // reported below
  }
  if (names.length === 0) {
    throw new Error(
      `emr: no connector jars in ${jarsDir}: run \`bash spark/setup.sh\` (it fills $TOP_SONGS_CACHE/spark-<version>/jars), or point emr.jarsDir / TOP_SONGS_SPARK_JARS at a folder of them`,
    );
  }
  return names.sort();
}

/** A folder with `main.py` and `<package>.zip` (the package's .py files under `<package>/`), deterministic. */
function stageCode(packageDir: string, packageName: string): string {
  const files = readdirSync(packageDir)
    .filter((name) => name.endsWith('.py'))
    .sort();
  const zip = zipPythonPackage(
    packageName,
    files.map((name) => ({ name, data: readFileSync(join(packageDir, name)) })),
  );
  const staged = mkdtempSync(join(tmpdir(), 'top-songs-spark-'));
  mkdirSync(staged, { recursive: true });
  writeFileSync(join(staged, `${packageName}.zip`), zip);
  writeFileSync(
    join(staged, 'main.py'),
    `"""spark-submit's primary resource: the package comes with --py-files ${packageName}.zip."""\nimport sys\n\nfrom ${packageName}.__main__ import main\n\nsys.exit(main())\n`,
  );
  return staged;
}

/** Zip timestamps are local DOS times from 1980 on; one fixed value keeps the bytes, hence the asset hash, stable. */
const FIXED_ZIP_TIME = new Date(1980, 0, 1);

/** `<package>/<file>` entries that Python's zipimport (spark-submit `--py-files`) loads; the same files give the same bytes. */
export function zipPythonPackage(
  packageName: string,
  files: readonly { readonly name: string; readonly data: Uint8Array }[],
): Uint8Array {
  return zipSync(
    Object.fromEntries(files.map((file) => [`${packageName}/${file.name}`, new Uint8Array(file.data)])),
    { mtime: FIXED_ZIP_TIME, level: 6 },
  );
}

/** What cdk-nag (AwsSolutions) flags here, and why it is what we mean. */
function acknowledgeFindings(
  cluster: CfnCluster,
  serviceRole: Role,
  instanceRole: Role,
  deployments: readonly BucketDeployment[],
  bucket: IBucket,
): void {
  Validations.of(serviceRole).acknowledge({
    id: managedPolicyFinding('service-role/AmazonEMRServicePolicy_v2'),
    reason:
      "EMR's own service role policy (v2), which AWS scopes to resources tagged for-use-with-amazon-emr-managed-policies; a hand-written copy would lag behind what EMR needs.",
  });
  acknowledgeBucketGrant(
    instanceRole,
    bucket,
    'readWrite',
    'the Spark job reads its code and jars, writes plays, rejects, staging files, its checkpoint, and EMR its logs, all by key.',
  );
  Validations.of(cluster).acknowledge(
    {
      id: 'AwsSolutions-EMR4',
      reason:
        'No security configuration yet: local disks hold only Spark shuffle and staging data of plays (no personal data beyond user ids already in the lake). An EMR security configuration with a KMS key is a follow-up.',
    },
    {
      id: 'AwsSolutions-EMR5',
      reason:
        'No security configuration yet: in-transit encryption between cluster nodes needs certificates (a PEM bundle in S3); traffic stays inside the VPC subnet. Follow-up with EMR4.',
    },
    {
      id: 'AwsSolutions-EMR6',
      reason:
        'Nobody logs in: the cluster runs one step, submitted by CloudFormation; there is no EC2 key pair and no interactive access to authenticate.',
    },
  );
  for (const deployment of deployments) {
    acknowledgeBucketDeployment(deployment, bucket, "the job's code and jars prefixes in the lake bucket");
  }
}
