import { clearCaches } from '@aws-lambda-powertools/parameters';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  KafkaSecretError,
  kafkaCredentialsFromSecret,
  readKafkaCredentialsSecret,
} from '../../../src/adapters/secrets/kafka-credentials-secret.ts';

const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_top-songs-AbCdEf';

function errorOf(run: () => unknown): Error | undefined {
  try {
    run();
  } catch (caught) {
    return caught as Error;
  }
  return undefined;
}

describe('kafkaCredentialsFromSecret', () => {
  it('takes the username and password of an MSK / self-managed SCRAM secret, ignoring other keys', () => {
    const value = JSON.stringify({ username: 'ingest', password: 'p@ss"w:rd', note: 'rotated 2026-01' });
    expect(kafkaCredentialsFromSecret(value, arn)).toEqual({ username: 'ingest', password: 'p@ss"w:rd' });
  });

  it.each([
    ['a value that is not JSON', 'Xk3#kd93!kdLq0-aa9s8d7f6g5h4j3k2', 'the value is not JSON'],
    [
      'JSON without a password',
      JSON.stringify({ username: 'ingest' }),
      'missing, empty or not text: password',
    ],
    ['an empty username', JSON.stringify({ username: '', password: 'Zq8!secret' }), 'username'],
    ['a JSON string', JSON.stringify('ingest:Zq8!secret'), 'the JSON is not an object'],
    ['nothing', '', 'the value is not JSON'],
  ])('refuses %s, names the secret, says how to fix it, and never echoes the value', (_, value, problem) => {
    const error = errorOf(() => kafkaCredentialsFromSecret(value, arn));
    expect(error).toBeInstanceOf(KafkaSecretError);
    expect(error!.message).toContain(arn);
    expect(error!.message).toContain(problem);
    expect(error!.message).toContain('put-secret-value');
    if (value) expect(error!.message).not.toContain(value);
    expect(error!.message).not.toMatch(/Zq8!secret|Xk3#kd93/);
  });
});

describe('readKafkaCredentialsSecret', () => {
  const secrets = mockClient(SecretsManagerClient);
  beforeEach(() => {
    secrets.reset();
    clearCaches();
  });
  afterAll(() => secrets.restore());

  it('reads the secret by its id and returns its credentials', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ SecretString: '{"username":"ingest","password":"s3cret"}' });
    expect(await readKafkaCredentialsSecret(arn)).toEqual({ username: 'ingest', password: 's3cret' });
  });

  it('names the secret when it cannot be read', async () => {
    const missing = `${arn}-missing`;
    secrets
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'Secrets Manager cannot find it', $metadata: {} }));
    await expect(readKafkaCredentialsSecret(missing)).rejects.toThrow(
      new RegExp(`Could not read the Kafka secret ${missing}: Secrets Manager cannot find it`),
    );
  });

  it('refuses a secret that holds no credentials without echoing it', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: arn }).resolves({ SecretString: '{"password":"s3cret"}' });
    const error = await readKafkaCredentialsSecret(arn).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(KafkaSecretError);
    expect((error as Error).message).toContain(`The Kafka secret ${arn} does not hold`);
    expect((error as Error).message).toContain('username');
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('refuses a binary secret', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ SecretBinary: new TextEncoder().encode('{"username":"u","password":"p"}') });
    await expect(readKafkaCredentialsSecret(arn)).rejects.toThrow(
      `The Kafka secret ${arn} has no string value`,
    );
  });
});
