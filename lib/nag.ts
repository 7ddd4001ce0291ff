import { Stack, Validations } from 'aws-cdk-lib';
import { SingletonFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import type { BucketDeployment } from 'aws-cdk-lib/aws-s3-deployment';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag (AwsSolutions) findings that several constructs meet, built and acknowledged here once. Each
 * construct still says, next to what it builds, why a finding is what it means; this module only knows
 * what CDK's own helpers (bucket grants, BucketDeployment) look like to cdk-nag.
 */

/** `bucket.grantRead()` or `bucket.grantReadWrite()`. */
export type BucketAccess = 'read' | 'readWrite';

/** The finding id of an AWS managed policy attached to a role, e.g. `service-role/AWSLambdaBasicExecutionRole`. */
export function managedPolicyFinding(policyName: string): string {
  return `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policyName}]`;
}

export const LAMBDA_BASIC_EXECUTION = managedPolicyFinding('service-role/AWSLambdaBasicExecutionRole');

/** The CDK assets bucket of the default bootstrap, which BucketDeployment reads its sources from. */
const CDK_ASSETS_OBJECTS =
  'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*';

/**
 * What cdk-nag's IAM5 (wildcards) sees in CDK's bucket grants: the action groups (`s3:GetObject*`...) and
 * the bucket's objects (`<bucket>.Arn/*`). An imported bucket has no logical id: its ARN is not a wildcard
 * cdk-nag names, so only the actions are listed.
 */
export function bucketGrantFindings(bucket: IBucket, access: BucketAccess): string[] {
  const cfnBucket = bucket.node.defaultChild as CfnBucket | undefined;
  const bucketId = cfnBucket ? Stack.of(bucket).resolve(Stack.of(bucket).getLogicalId(cfnBucket)) : undefined;
  return [
    'Action::s3:GetObject*',
    'Action::s3:GetBucket*',
    'Action::s3:List*',
    ...(access === 'readWrite' ? ['Action::s3:DeleteObject*', 'Action::s3:Abort*'] : []),
    ...(bucketId ? [`Resource::<${bucketId}.Arn>/*`] : []),
  ];
}

/** Acknowledges the IAM5 findings of `bucket.grantRead()`/`grantReadWrite()` given to `grantee`. */
export function acknowledgeBucketGrant(
  grantee: IConstruct,
  bucket: IBucket,
  access: BucketAccess,
  why: string,
): void {
  const reason = `CDK's bucket.grant${access === 'read' ? 'Read' : 'ReadWrite'}() action groups, scoped to one bucket and its objects: ${why}`;
  Validations.of(grantee).acknowledge(
    ...bucketGrantFindings(bucket, access).map((finding) => ({
      id: `AwsSolutions-IAM5[${finding}]`,
      reason,
    })),
  );
}

/**
 * Acknowledges what CDK's BucketDeployment brings along: its handler function (one per memory size, at the
 * stack's root, named by its singleton) runs a runtime aws-cdk-lib picks, and its role reads the CDK assets
 * bucket and writes and prunes the destination. A role CDK made for the handler also carries the standard
 * Lambda logging policy; a role passed in (the dashboard's) does not.
 */
export function acknowledgeBucketDeployment(
  deployment: BucketDeployment,
  destination: IBucket,
  /** Which objects it writes, e.g. "the site bucket's objects (the build, config.json)". */
  uploads: string,
): void {
  const singleton = deployment.node.children.find((child) => child instanceof SingletonFunction);
  const handler = singleton && Stack.of(deployment).node.tryFindChild(singleton.constructName);
  if (handler) {
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason: "CDK's BucketDeployment handler: its runtime is chosen by aws-cdk-lib, not by this app.",
    });
  }
  const role = deployment.handlerRole;
  if (handler && role.node.scope === handler) {
    Validations.of(role).acknowledge({
      id: LAMBDA_BASIC_EXECUTION,
      reason: "The standard Lambda logging grant of CDK's BucketDeployment handler.",
    });
  }
  const reason = `CDK's BucketDeployment grants: read the CDK assets bucket's objects, write and prune ${uploads}.`;
  Validations.of(role).acknowledge(
    ...[...bucketGrantFindings(destination, 'readWrite'), CDK_ASSETS_OBJECTS].map((finding) => ({
      id: `AwsSolutions-IAM5[${finding}]`,
      reason,
    })),
  );
}
