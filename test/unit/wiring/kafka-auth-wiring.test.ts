import { createServer, type Server, type Socket } from 'node:net';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KafkaSecretError } from '../../../src/adapters/secrets/kafka-credentials-secret.ts';
import { loadSettings } from '../../../src/config/settings.ts';
import { createDependencies } from '../../../src/wiring/dependencies.ts';

const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_top-songs-AbCdEf';

/**
 * No SASL broker runs here: a "broker" that keeps the first bytes of each connection and hangs up shows
 * whether the transport speaks TLS (a handshake record, 0x16, naming the broker for SNI) or plain Kafka.
 */
describe('the Kafka transport of a deployed ingest (KAFKA_SECRET_ARN)', () => {
  const secrets = mockClient(SecretsManagerClient);
  let server: Server;
  let port = 0;
  const firstBytes: Buffer[] = [];
  beforeAll(async () => {
    server = createServer((socket: Socket) => {
      socket.once('data', (data: Buffer) => {
        firstBytes.push(data);
        socket.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  beforeEach(() => {
    secrets.reset();
    clearCaches();
    firstBytes.length = 0;
  });
  afterAll(async () => {
    secrets.restore();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reads the credentials before connecting, and names a secret that holds none', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: arn }).resolves({ SecretString: 'not json' });
    const deps = createDependencies(
      loadSettings({
        KAFKA_BROKERS: `localhost:${port}`,
        KAFKA_SECRET_ARN: arn,
        TOP_SONGS_DATA_DIR: '/nonexistent',
      }),
    );
    const error = await deps.transport().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KafkaSecretError);
    expect((error as Error).message).toContain(arn);
    expect(firstBytes).toHaveLength(0);
  });

  it('opens TLS to the brokers when the secret holds credentials', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ SecretString: '{"username":"ingest","password":"s3cret"}' });
    const deps = createDependencies(
      loadSettings({
        KAFKA_BROKERS: `localhost:${port}`,
        KAFKA_SECRET_ARN: arn,
        KAFKA_AUTHENTICATION_METHOD: 'SASL_SCRAM_256_AUTH',
        TOP_SONGS_DATA_DIR: '/nonexistent',
      }),
    );
    await expect(deps.transport()).rejects.toThrow(/Kafka at localhost:/);
    expect(firstBytes.length).toBeGreaterThan(0);
    const hello = firstBytes[0]!;
    expect(hello[0]).toBe(0x16); // TLS handshake record: a ClientHello
    expect(hello.includes(Buffer.from('localhost'))).toBe(true); // SNI names the broker
    expect(hello.includes(Buffer.from('s3cret'))).toBe(false);
  }, 30_000);
});
