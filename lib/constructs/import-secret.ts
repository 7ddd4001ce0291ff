import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/**
 * References an existing secret by ARN. A complete ARN ends in the 6-character suffix Secrets Manager
 * appends to the name; grants on a partial ARN match any suffix.
 */
export function importSecret(scope: Construct, id: string, arn: string): ISecret {
  const complete = /-[A-Za-z0-9]{6}$/.test(arn);
  return Secret.fromSecretAttributes(
    scope,
    id,
    complete ? { secretCompleteArn: arn } : { secretPartialArn: arn },
  );
}
