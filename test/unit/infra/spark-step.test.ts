import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { loadAppConfig } from '../../../lib/config/app-config.ts';
import { SPARK_CODE_PREFIX, zipPythonPackage } from '../../../lib/constructs/spark-stream-step.ts';
import { projectRoot } from '../../../lib/project-root.ts';
import { streamJobs, topics } from '../../../src/topology.ts';
import { kafkaContext, referencedId, resourcesOf, synth, unsynthesized } from './synth.ts';

/** Stand-ins for the connector jars spark/setup.sh fetches (hundreds of MB): only their names matter here. */
const jarsDir = mkdtempSync(join(tmpdir(), 'top-songs-jars-'));
const jarNames = ['kafka-clients-3.9.1.jar', 'spark-sql-kafka-0-10_2.13-4.0.2.jar'];
for (const name of jarNames) writeFileSync(join(jarsDir, name), 'not a jar');
writeFileSync(join(jarsDir, 'README.txt'), 'not uploaded');

const emrContext = { kafka: kafkaContext, emr: JSON.stringify({ jarsDir }) };
const [job] = streamJobs;

/** A CloudFormation string (plain, or Fn::Join of parts) as text, each token as `<token>`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(separator);
  }
  return '<token>';
}

/** Uploads into the lake bucket (the dashboard site has a BucketDeployment of its own). */
const lakeDeployments = (template: Parameters<typeof resourcesOf>[0]) =>
  Object.values(resourcesOf(template, 'Custom::CDKBucketDeployment')).filter((deployment) =>
    referencedId(deployment.Properties?.DestinationBucketName)?.startsWith('LakeBucket'),
  );

describe('the Spark streaming job on EMR', () => {
  const { template } = synth(emrContext);
  const steps = Object.values(resourcesOf(template, 'AWS::EMR::Step'));
  const args = ((steps[0]?.Properties?.HadoopJarStep as { Args: unknown[] })?.Args ?? []).map(flatten);

  it('creates one always-on cluster on the EMR release of Spark 4.0.2', () => {
    template.resourceCountIs('AWS::EMR::Cluster', 1);
    template.hasResourceProperties('AWS::EMR::Cluster', {
      ReleaseLabel: 'emr-spark-8.0.0',
      Applications: [{ Name: 'Spark' }],
      Instances: { KeepJobFlowAliveWhenNoSteps: true },
    });
  });

  it('runs one command-runner step: spark-submit with the topology topic and trigger', () => {
    expect(steps).toHaveLength(1);
    expect(steps[0]?.Properties).toMatchObject({
      ActionOnFailure: 'CONTINUE',
      HadoopJarStep: { Jar: 'command-runner.jar' },
    });
    expect(args.slice(0, 3)).toEqual(['spark-submit', '--deploy-mode', 'cluster']);
    expect(args.slice(-4)).toEqual([
      '--topic',
      topics.plays.name,
      '--trigger-seconds',
      String(job.triggerSeconds),
    ]);
    expect(args.slice(-4)).toEqual(['--topic', job.topic, '--trigger-seconds', '10']);
  });

  it('takes code and jars from the lake bucket code prefix, and passes the job its environment', () => {
    const code = `s3://<token>/${SPARK_CODE_PREFIX}${job.name}/`;
    expect(args[args.indexOf('--py-files') + 1]).toBe(`${code}top_songs_stream.zip`);
    expect(args[args.indexOf('--py-files') + 2]).toBe(`${code}main.py`);
    expect(args[args.indexOf('--jars') + 1]?.split(',')).toEqual(
      jarNames.map((name) => `s3://<token>/${SPARK_CODE_PREFIX}jars/spark-${job.sparkVersion}/${name}`),
    );
    expect(args).toEqual(
      expect.arrayContaining([
        `spark.yarn.appMasterEnv.KAFKA_BROKERS=${kafkaContext.bootstrapServers.join(',')}`,
        'spark.yarn.appMasterEnv.LAKE_URI=s3://<token>/',
        'spark.yarn.appMasterEnv.SPARK_MASTER=yarn',
      ]),
    );
    const prefixes = lakeDeployments(template).map(
      (deployment) => deployment.Properties?.DestinationBucketKeyPrefix,
    );
    expect(prefixes.sort()).toEqual([
      `${SPARK_CODE_PREFIX}jars/spark-4.0.2/`,
      `${SPARK_CODE_PREFIX}${job.name}/`,
    ]);
  });

  it('passes the AWS Solutions checks: every finding is fixed or acknowledged with a reason', () => {
    const { app } = unsynthesized(emrContext);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('stops synth with the fix when the jars are missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'top-songs-nojars-'));
    expect(() => synth({ kafka: kafkaContext, emr: { jarsDir: empty } })).toThrow(/bash spark\/setup\.sh/);
  });
});

describe('the emr switch', () => {
  it('is off by default: no EMR resources, no code upload', () => {
    for (const context of [{}, { kafka: kafkaContext }, { kafka: kafkaContext, emr: 'false' }]) {
      const { template } = synth(context);
      expect(Object.keys(resourcesOf(template, 'AWS::EMR::Cluster'))).toEqual([]);
      expect(Object.keys(resourcesOf(template, 'AWS::EMR::Step'))).toEqual([]);
      expect(lakeDeployments(template)).toEqual([]);
    }
  });

  it('reads -c emr=true and TOP_SONGS_EMR, and needs Kafka', () => {
    const read = (context: Record<string, unknown>, env: Record<string, string> = {}) =>
      loadAppConfig((key) => context[key], env);
    expect(read({ kafka: kafkaContext, emr: 'true' }, { TOP_SONGS_CACHE: '/cache' }).emr).toEqual({
      releaseLabel: 'emr-spark-8.0.0',
      primaryInstanceType: 'm5.xlarge',
      coreInstanceType: 'm5.xlarge',
      coreInstanceCount: 1,
      jarsDir: `/cache/spark-${job.sparkVersion}/jars`,
    });
    expect(
      read({ kafka: kafkaContext }, { TOP_SONGS_EMR: 'true', TOP_SONGS_SPARK_JARS: '/j' }).emr?.jarsDir,
    ).toBe('/j');
    expect(read({ kafka: kafkaContext, emr: false }, { TOP_SONGS_EMR: 'true' }).emr).toBeUndefined();
    expect(() => read({ emr: 'true' })).toThrow(/emr: emr runs the Spark job, which reads Kafka/);
  });
});

describe('the stream job declaration', () => {
  const main = readFileSync(join(projectRoot, job.entry, '__main__.py'), 'utf8');

  it("matches the CLI defaults of the job's __main__.py", () => {
    expect(main).toContain(`else "${job.topic}")`);
    expect(main).toMatch(new RegExp(`"--trigger-seconds", type=int, default=${job.triggerSeconds}\\b`));
  });

  it('pins the Spark of spark/pom.xml and spark/requirements.txt', () => {
    const pom = readFileSync(join(projectRoot, 'spark/pom.xml'), 'utf8');
    expect(pom).toContain(`<spark.version>${job.sparkVersion}</spark.version>`);
    const requirements = readFileSync(join(projectRoot, 'spark/requirements.txt'), 'utf8').split('\n');
    expect(requirements).toContain(`pyspark==${job.sparkVersion}`);
  });

  it('packages the job as a zip Python can import (when python3 is here)', () => {
    const files = [
      { name: '__init__.py', data: Buffer.from('') },
      { name: 'mod.py', data: Buffer.from('VALUE = 42\n') },
    ];
    const zip = zipPythonPackage('pkg', files);
    // Same files, same bytes: the asset hash (and so the EMR step) changes only when the code does.
    expect(Buffer.from(zipPythonPackage('pkg', files)).equals(Buffer.from(zip))).toBe(true);
    const file = join(mkdtempSync(join(tmpdir(), 'top-songs-zip-')), 'pkg.zip');
    writeFileSync(file, zip);
    let out: string;
    try {
      out = execFileSync(
        'python3',
        ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); import pkg.mod; print(pkg.mod.VALUE)', file],
        {
          encoding: 'utf8',
        },
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    expect(out.trim()).toBe('42');
  });
});
