import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { KafkaConfig } from '../config/app-config.ts';
import { importSecret } from './import-secret.ts';

/**
 * A self-managed Kafka cluster this stack does not own: its bootstrap servers and the secret with
 * the credentials both Lambda's event source mapping and the ingest producer use.
 */
export class SelfManagedKafka extends Construct {
  readonly bootstrapServers: readonly string[];
  readonly secret: ISecret;
  readonly authenticationMethod: KafkaConfig['authenticationMethod'];

  constructor(scope: Construct, id: string, config: KafkaConfig) {
    super(scope, id);
    this.bootstrapServers = config.bootstrapServers;
    this.authenticationMethod = config.authenticationMethod;
    this.secret = importSecret(this, 'Credentials', config.secretArn);
  }
}
