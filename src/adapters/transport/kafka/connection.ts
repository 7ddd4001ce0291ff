/** How every Kafka client of the transport (admin, producers, consumers) reaches and authenticates to the brokers. */
import type { BaseOptions } from '@platformatic/kafka';
import type { KafkaAuthenticationMethod } from '../../../config/settings.ts';

/** The SASL mechanisms the transport speaks (always over TLS). */
export type KafkaSaslMechanism = 'SCRAM-SHA-512' | 'SCRAM-SHA-256' | 'PLAIN';

/** The SASL mechanism of each authentication method of Lambda's Kafka event sources: BASIC_AUTH is SASL/PLAIN. */
export const saslMechanisms: Readonly<Record<KafkaAuthenticationMethod, KafkaSaslMechanism>> = {
  SASL_SCRAM_512_AUTH: 'SCRAM-SHA-512',
  SASL_SCRAM_256_AUTH: 'SCRAM-SHA-256',
  BASIC_AUTH: 'PLAIN',
};

/** A credential, or a function that reads it when a connection authenticates (so a rotated secret is picked up). */
export type KafkaCredential = string | (() => Promise<string>);

export interface KafkaSasl {
  readonly mechanism: KafkaSaslMechanism;
  readonly username: KafkaCredential;
  readonly password: KafkaCredential;
}

export type KafkaConnectionOptions = Pick<
  BaseOptions,
  'clientId' | 'bootstrapBrokers' | 'sasl' | 'tls' | 'tlsServerName'
>;

/**
 * What every client (admin, producer, consumer) needs to reach the brokers: their addresses, and with SASL
 * also TLS. Lambda speaks SASL to Kafka only over TLS (SASL_SSL), so the brokers the stack's event source
 * reads from offer no other listener for these credentials. The brokers' certificates are verified against
 * Node's CAs (plus NODE_EXTRA_CA_CERTS), and each connection names its broker for SNI.
 */
export function kafkaConnectionOptions(
  options: { readonly brokers: readonly string[]; readonly sasl?: KafkaSasl | undefined },
  clientId: string,
): KafkaConnectionOptions {
  const connection: KafkaConnectionOptions = { clientId, bootstrapBrokers: [...options.brokers] };
  if (!options.sasl) return connection;
  const { mechanism, username, password } = options.sasl;
  return { ...connection, sasl: { mechanism, username, password }, tls: {}, tlsServerName: true };
}

/** The messages of an error and what caused it: "Connection … failed. (SASL authentication failed. (…))". */
export function describeKafkaError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(describeKafkaError))].join('; ');
  }
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause === undefined ? error.message : describeKafkaError(error.cause);
  return cause === error.message ? error.message : `${error.message} (${cause})`;
}
