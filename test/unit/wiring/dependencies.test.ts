import { createServer, type Server } from 'node:net';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/settings.ts';
import { databaseConfig, kafkaSaslFromSecret } from '../../../src/wiring/connections.ts';
import { createDependencies } from '../../../src/wiring/dependencies.ts';

describe('the chart store dependency', () => {
  let server: Server;
  let connections = 0;
  let port = 0;
  beforeAll(async () => {
    // A "database" that hangs up on every connection, and counts them.
    server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('retries a failed start on the next call instead of keeping the failure', async () => {
    const deps = createDependencies(
      loadSettings({ DATABASE_URL: `postgres://top:songs@127.0.0.1:${port}/top_songs` }),
    );
    await expect(deps.chartStore()).rejects.toThrow();
    await expect(deps.chartStore()).rejects.toThrow();
    expect(connections).toBe(2);
    await deps.close();
  });

  it('names both settings when neither DATABASE_URL nor DATABASE_SECRET_ARN is set', async () => {
    const deps = createDependencies(loadSettings({}));
    await expect(deps.chartStore()).rejects.toThrow(/Neither DATABASE_URL nor DATABASE_SECRET_ARN is set/);
  });
});

describe('the database configuration of a deployed function', () => {
  const secrets = mockClient(SecretsManagerClient);
  afterAll(() => secrets.restore());

  it('connects where the secret says, and reads the password again for new connections (rotation)', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:top-songs-db-AbCdEf';
    secrets
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ SecretString: 'postgres://app:first@db.internal:5433/top_songs' });
    const config = await databaseConfig(loadSettings({ DATABASE_SECRET_ARN: arn }));
    expect(config).toMatchObject({ host: 'db.internal', port: 5433, user: 'app', database: 'top_songs' });
    expect(typeof config.password).toBe('function');
    const password = config.password as () => Promise<string>;
    expect(await password()).toBe('first');

    // The secret rotates; once Powertools' cache expires (cleared here), new connections use the new password.
    secrets
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ SecretString: 'postgres://app:second@db.internal:5433/top_songs' });
    clearCaches();
    expect(await password()).toBe('second');
  });

  it('gives Kafka SASL credentials that are read again for new connections (rotation), failing early on a bad secret', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_top-songs-AbCdEf';
    secrets
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ SecretString: JSON.stringify({ username: 'ingest', password: 'first' }) });
    clearCaches();
    const sasl = await kafkaSaslFromSecret(arn, 'SCRAM-SHA-512');
    expect(sasl.mechanism).toBe('SCRAM-SHA-512');
    const read = (credential: string | (() => Promise<string>)) =>
      typeof credential === 'string' ? credential : credential();
    expect([await read(sasl.username), await read(sasl.password)]).toEqual(['ingest', 'first']);

    secrets
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ SecretString: JSON.stringify({ username: 'ingest', password: 'second' }) });
    clearCaches();
    expect(await read(sasl.password)).toBe('second');

    secrets.on(GetSecretValueCommand, { SecretId: `${arn}-empty` }).resolves({ SecretString: '{}' });
    await expect(kafkaSaslFromSecret(`${arn}-empty`, 'PLAIN')).rejects.toThrow(new RegExp(`${arn}-empty`));
  });

  it('uses DATABASE_URL as it is when set, without reading any secret', async () => {
    const before = secrets.commandCalls(GetSecretValueCommand).length;
    const config = await databaseConfig(
      loadSettings({ DATABASE_URL: 'postgres://a:b@c:5432/d', DATABASE_SECRET_ARN: 'ignored' }),
    );
    expect(config).toEqual({ connectionString: 'postgres://a:b@c:5432/d' });
    expect(secrets.commandCalls(GetSecretValueCommand).length).toBe(before);
  });
});

describe('the lake dependency in AWS Lambda', () => {
  const lambda = { AWS_LAMBDA_FUNCTION_NAME: 'top-songs-lake-writer' };

  it('refuses a folder lake, which would be the temporary disk of one execution environment', () => {
    const deps = createDependencies(loadSettings(lambda));
    expect(() => deps.lake()).toThrow(
      /runs in AWS Lambda with the lake in the folder ".data\/lake".*LAKE_URI=s3:/,
    );
    expect(() => createDependencies(loadSettings({ ...lambda, LAKE_URI: '/tmp/lake' })).lake()).toThrow(
      /folder "\/tmp\/lake"/,
    );
  });

  it('opens an S3 lake, and a folder lake outside Lambda', () => {
    const s3 = createDependencies(
      loadSettings({ ...lambda, LAKE_URI: 's3://lake/plays', AWS_REGION: 'us-east-1' }),
    );
    expect(s3.lake().describe()).toContain('s3://lake/');
    expect(createDependencies(loadSettings({})).lake().describe()).toContain('.data/lake');
  });
});
