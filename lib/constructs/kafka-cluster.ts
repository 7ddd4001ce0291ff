import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { KafkaConfig } from '../config/app-config.ts';
import { stackOutput } from '../stack-output.ts';
import { importSecret } from './import-secret.ts';

/**
 * A Kafka cluster this stack does not own, Amazon MSK or self-managed: its bootstrap servers and the secret
 * with the credentials both Lambda's event source mapping and the ingest producer use. With an MSK cluster
 * ARN, consumers get MSK event sources; without, self-managed ones.
 */
export class KafkaCluster extends Construct {
  readonly bootstrapServers: readonly string[];
  readonly secret: ISecret;
  readonly authenticationMethod: KafkaConfig['authenticationMethod'];
  /** Set for Amazon MSK. */
  readonly mskClusterArn: string | undefined;

  constructor(scope: Construct, id: string, config: KafkaConfig) {
    super(scope, id);
    this.bootstrapServers = config.bootstrapServers;
    this.authenticationMethod = config.authenticationMethod;
    this.mskClusterArn = config.mskClusterArn;
    this.secret = importSecret(this, 'Credentials', config.secretArn);
    stackOutput(this, 'Transport', {
      value: this.mskClusterArn
        ? `Amazon MSK: ${this.mskClusterArn}`
        : `self-managed Kafka: ${this.bootstrapServers.join(',')}`,
      description: 'How the topic-triggered functions are fed',
    });
  }
}
