import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { readDatabaseUrlSecret } from '../../../src/adapters/secrets/database-url-secret.ts';
import { DatabaseSecretError, databaseUrlFromSecret } from '../../../src/config/database-url.ts';

const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:top-songs-db-AbCdEf';

describe('databaseUrlFromSecret', () => {
  it('takes a postgres:// URL as it is, around surrounding whitespace', () => {
    expect(databaseUrlFromSecret(' postgres://app:pw@db.internal:5432/top_songs\n', arn)).toBe(
      'postgres://app:pw@db.internal:5432/top_songs',
    );
    expect(databaseUrlFromSecret('postgresql://app@localhost/x', arn)).toBe('postgresql://app@localhost/x');
  });

  it('builds a verified-TLS URL from RDS generated credentials, escaping the password', () => {
    const rds = JSON.stringify({
      engine: 'postgres',
      username: 'postgres',
      password: 'p@ss/w:rd?#',
      host: 'top-songs.abc.us-east-1.rds.amazonaws.com',
      port: 5432,
      dbname: 'top_songs',
      dbInstanceIdentifier: 'top-songs',
    });
    const url = databaseUrlFromSecret(rds, arn);
    expect(url).toBe(
      'postgres://postgres:p%40ss%2Fw%3Ard%3F%23@top-songs.abc.us-east-1.rds.amazonaws.com:5432/top_songs?sslmode=verify-full',
    );
    const parsed = new URL(url);
    expect(decodeURIComponent(parsed.password)).toBe('p@ss/w:rd?#');
  });

  it('defaults the port and database of RDS credentials that omit them', () => {
    const url = databaseUrlFromSecret(JSON.stringify({ username: 'u', password: 'p', host: 'h' }), arn);
    expect(url).toBe('postgres://u:p@h:5432/postgres?sslmode=verify-full');
  });

  it.each([
    ['the random placeholder the stack creates', 'Xk3#kd93!kdLq0-aa9s8d7f6g5h4j3k2'],
    ['JSON without a host', JSON.stringify({ username: 'u', password: 'p' })],
    ['a MySQL URL', 'mysql://u:p@h/db'],
    ['nothing', ''],
  ])('refuses %s, says how to fix it, and never echoes the value', (_, value) => {
    const error = (() => {
      try {
        databaseUrlFromSecret(value, arn);
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DatabaseSecretError);
    expect(error!.message).toContain(arn);
    expect(error!.message).toContain('put-secret-value');
    if (value) expect(error!.message).not.toContain(value);
  });
});

describe('readDatabaseUrlSecret', () => {
  const secrets = mockClient(SecretsManagerClient);
  beforeEach(() => secrets.reset());
  afterAll(() => secrets.restore());

  it('reads the secret by its id and returns the URL it holds', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ SecretString: 'postgres://a:b@c:5432/d' });
    expect(await readDatabaseUrlSecret(arn)).toBe('postgres://a:b@c:5432/d');
  });

  it('names the secret when it cannot be read', async () => {
    const missing = `${arn}-missing`;
    secrets
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'Secrets Manager cannot find it', $metadata: {} }));
    await expect(readDatabaseUrlSecret(missing)).rejects.toThrow(
      new RegExp(`Could not read the database secret ${missing}: Secrets Manager cannot find it`),
    );
  });
});
