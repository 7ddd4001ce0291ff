import { type RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { stackOutput } from '../stack-output.ts';
import { importSecret } from './import-secret.ts';

export interface OpenAiSecretProps {
  /** An existing secret `{"api_key": "…"}`; absent: one is created with an empty key. */
  readonly secretArn: string | undefined;
  readonly removalPolicy: RemovalPolicy;
  readonly stage: string;
}

/**
 * Where catalog-generate finds its OpenAI key. Created as `{"api_key": ""}`: until the operator fills it in,
 *
 *   aws secretsmanager put-secret-value --secret-id <OpenAiSecretArn output> --secret-string '{"api_key":"sk-…"}'
 *
 * the job writes the seeded catalog, labelled so. The function gets the ARN (OPENAI_SECRET_ARN) and a read
 * grant, never the value.
 */
export class OpenAiSecret extends Construct {
  readonly secret: ISecret;
  readonly created: boolean;

  constructor(scope: Construct, id: string, props: OpenAiSecretProps) {
    super(scope, id);
    this.created = !props.secretArn;
    this.secret = props.secretArn ? importSecret(this, 'Secret', props.secretArn) : this.createEmpty(props);
    stackOutput(this, 'OpenAiSecretArn', {
      value: this.secret.secretArn,
      description: this.created
        ? `catalog-generate's OpenAI key, created empty: put-secret-value '{"api_key":"sk-…"}', then invoke catalog-generate with {"mode":"generate"}`
        : "The configured secret holding catalog-generate's OpenAI key",
    });
  }

  private createEmpty(props: OpenAiSecretProps): ISecret {
    const secret = new Secret(this, 'Secret', {
      description: `Top Songs (${props.stage}): the OpenAI API key of the catalog generator, {"api_key": "sk-…"}. Empty: the seeded catalog.`,
      // Not a secret yet: the empty placeholder the handler reads as "no key" (src/adapters/secrets/openai-key-secret.ts).
      secretObjectValue: { api_key: SecretValue.unsafePlainText('') },
      removalPolicy: props.removalPolicy,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Holds an API key that OpenAI issues; nothing in this stack can rotate it (rotate it at OpenAI and put the new one in).',
    });
    return secret;
  }
}
