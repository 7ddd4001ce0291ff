import { CfnOutput, type CfnOutputProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * A stack output declared by the construct that owns its value, under a key that does not depend on where
 * that construct sits: scripts, tests and docs read outputs by key (`ApiUrl`, `LakeBucketName`...). A key
 * is a CloudFormation logical id, so anything but letters and digits is dropped, as CDK does for a
 * top-level id (`EmrCluster-spark-stream` → `EmrClustersparkstream`).
 */
export function stackOutput(scope: Construct, key: string, props: CfnOutputProps): CfnOutput {
  const output = new CfnOutput(scope, key, props);
  output.overrideLogicalId(key.replace(/[^A-Za-z0-9]/g, ''));
  return output;
}
