import { describe, expect, it } from 'vitest';
import { kafkaConnectionOptions, saslMechanisms } from '../../../src/adapters/transport/kafka/connection.ts';
import { kafkaAuthenticationMethods } from '../../../src/config/settings.ts';

const brokers = ['b-1.top-songs.example:9096', 'b-2.top-songs.example:9096'];

describe('the connection options every Kafka client gets', () => {
  it('without SASL: the brokers, in PLAINTEXT (local mode against the stack broker)', () => {
    const options = kafkaConnectionOptions({ brokers: ['127.0.0.1:9092'] }, 'top-songs-admin');
    expect(options).toEqual({ clientId: 'top-songs-admin', bootstrapBrokers: ['127.0.0.1:9092'] });
    expect(options).not.toHaveProperty('tls');
    expect(options).not.toHaveProperty('sasl');
  });

  it.each([
    ['SASL_SCRAM_512_AUTH', 'SCRAM-SHA-512'],
    ['SASL_SCRAM_256_AUTH', 'SCRAM-SHA-256'],
    ['BASIC_AUTH', 'PLAIN'],
  ] as const)('%s: SASL %s with the credentials, over TLS with SNI', (method, mechanism) => {
    expect(saslMechanisms[method]).toBe(mechanism);
    const options = kafkaConnectionOptions(
      { brokers, sasl: { mechanism: saslMechanisms[method], username: 'ingest', password: 's3cret' } },
      'top-songs-producer',
    );
    expect(options).toEqual({
      clientId: 'top-songs-producer',
      bootstrapBrokers: brokers,
      sasl: { mechanism, username: 'ingest', password: 's3cret' },
      tls: {},
      tlsServerName: true,
    });
  });

  it('maps every accepted authentication method to a mechanism', () => {
    expect(Object.keys(saslMechanisms).sort()).toEqual([...kafkaAuthenticationMethods].sort());
  });

  it('copies the broker list, so a client cannot change the transport options', () => {
    const options = kafkaConnectionOptions({ brokers }, 'x');
    expect(options.bootstrapBrokers).not.toBe(brokers);
  });
});
