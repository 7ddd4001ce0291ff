import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { stackOutput } from '../stack-output.ts';
import { importSecret } from './import-secret.ts';

export interface DatabaseSecretProps {
  /** An existing secret whose SecretString is the DATABASE_URL; absent: one is created. */
  readonly secretArn: string | undefined;
  readonly removalPolicy: RemovalPolicy;
  readonly stage: string;
}

/**
 * Where the functions find their PostgreSQL connection URL. The secret's value is the plain
 * DATABASE_URL (`postgres://user:password@host:5432/database`). When no ARN is configured the
 * stack creates the secret with a random placeholder value; fill it in after the first deploy:
 *
 *   aws secretsmanager put-secret-value --secret-id <DatabaseSecretArn output> \
 *     --secret-string 'postgres://user:password@host:5432/top_songs'
 *
 * Functions get the ARN as DATABASE_SECRET_ARN and a read grant, never the value itself.
 */
export class DatabaseSecret extends Construct {
  readonly secret: ISecret;
  /** True when this stack created (and owns) the secret. */
  readonly created: boolean;

  constructor(scope: Construct, id: string, props: DatabaseSecretProps) {
    super(scope, id);
    if (props.secretArn) {
      this.secret = importSecret(this, 'Secret', props.secretArn);
      this.created = false;
    } else {
      this.secret = new Secret(this, 'Secret', {
        description: `Top Songs (${props.stage}): the PostgreSQL DATABASE_URL (postgres://user:password@host:5432/db). Created with a random placeholder: put the real URL in.`,
        removalPolicy: props.removalPolicy,
      });
      this.created = true;
      Validations.of(this.secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Holds a connection URL to a database this stack does not manage, so nothing here can rotate its password; an RDS-managed secret (later issue) rotates itself.',
      });
    }
    stackOutput(this, 'DatabaseSecretArn', {
      value: this.secret.secretArn,
      description: this.created
        ? 'Created with a placeholder: put-secret-value the real DATABASE_URL (postgres://...) into it'
        : 'The configured secret holding DATABASE_URL',
    });
  }
}
