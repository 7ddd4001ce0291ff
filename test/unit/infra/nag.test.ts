import { App, CfnWaitConditionHandle, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import {
  acknowledgeBucketDeployment,
  acknowledgeBucketGrant,
  type BucketAccess,
  bucketGrantFindings,
} from '../../../lib/nag.ts';
import { stackOutput } from '../../../lib/stack-output.ts';
import { assemblyDir } from './synth.ts';

/** The findings cdk-nag (AwsSolutions) reports on the app, as the ids `acknowledge()` takes. */
function nagFindings(app: App): string[] {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
    return [];
  } catch (error) {
    const message = (error as Error).message;
    return [...message.matchAll(/Acknowledge with 'AwsSolutions::([^']+)'/g)].map((match) => match[1]!);
  }
}

const wildcardFindings = (findings: readonly string[]) =>
  findings.filter((id) => /^AwsSolutions-(IAM4|IAM5|L1)/.test(id)).sort();

/** A role given `bucket.grant<access>()`: what bucketGrantFindings names, and what cdk-nag then reports. */
function grantedRole(access: BucketAccess, acknowledge: boolean) {
  const app = new App({ outdir: assemblyDir() });
  const stack = new Stack(app, 'Grants');
  const bucket = new Bucket(stack, 'Bucket');
  const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  if (access === 'read') bucket.grantRead(role);
  else bucket.grantReadWrite(role);
  const named = bucketGrantFindings(bucket, access).map((finding) => `AwsSolutions-IAM5[${finding}]`);
  if (acknowledge) acknowledgeBucketGrant(role, bucket, access, 'a test grant.');
  return { named: named.sort(), reported: wildcardFindings(nagFindings(app)) };
}

describe('cdk-nag helpers (lib/nag.ts)', () => {
  it.each(['read', 'readWrite'] as const)(
    'names exactly the IAM5 findings cdk-nag raises on bucket.grant %s, and acknowledges them',
    (access) => {
      const bare = grantedRole(access, false);
      expect(bare.reported).toEqual(bare.named);
      expect(grantedRole(access, true).reported).toEqual([]);
    },
  );

  it('acknowledges a BucketDeployment: its handler, its own role, or a role passed in', () => {
    const deploy = (acknowledge: boolean, ownRole: boolean) => {
      const app = new App({ outdir: assemblyDir() });
      const stack = new Stack(app, 'Deploy');
      const bucket = new Bucket(stack, 'Bucket');
      const role = ownRole
        ? new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') })
        : undefined;
      const deployment = new BucketDeployment(stack, 'Files', {
        sources: [Source.data('a.txt', 'a')],
        destinationBucket: bucket,
        ...(role ? { role } : {}),
      });
      if (acknowledge) acknowledgeBucketDeployment(deployment, bucket, 'the test files');
      return wildcardFindings(nagFindings(app));
    };
    for (const ownRole of [false, true]) {
      const unacknowledged = deploy(false, ownRole);
      expect(unacknowledged).toContain('AwsSolutions-L1');
      expect(unacknowledged.filter((id) => id.startsWith('AwsSolutions-IAM5')).length).toBeGreaterThan(0);
      expect(unacknowledged.some((id) => id.startsWith('AwsSolutions-IAM4'))).toBe(!ownRole);
      expect(deploy(true, ownRole)).toEqual([]);
    }
  });
});

describe('stackOutput', () => {
  it('keeps the key of an output declared deep in the tree, letters and digits only', () => {
    const stack = new Stack(new App({ outdir: assemblyDir() }), 'Outputs');
    new CfnWaitConditionHandle(stack, 'Resource'); // a template needs one resource to be valid
    const owner = new Construct(new Construct(stack, 'Outer'), 'Inner');
    stackOutput(owner, 'ApiUrl', { value: 'https://example.test/' });
    stackOutput(owner, 'EmrCluster-spark-stream', { value: 'j-1' });
    const outputs = Template.fromStack(stack).toJSON().Outputs as Record<string, { Value: string }>;
    expect(outputs).toEqual({
      ApiUrl: { Value: 'https://example.test/' },
      EmrClustersparkstream: { Value: 'j-1' },
    });
  });
});
