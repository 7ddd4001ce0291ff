import { z } from 'zod';
import { readSecretString } from './secret-string.ts';

/**
 * The SASL credentials of the Kafka brokers, as MSK and Lambda's self-managed Kafka event source keep them:
 * a secret whose value is the JSON document `{"username": "...", "password": "..."}` (other keys are ignored).
 */
const kafkaCredentials = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
});

export type KafkaCredentials = z.infer<typeof kafkaCredentials>;

export class KafkaSecretError extends Error {
  override name = 'KafkaSecretError';
}

/** The credentials in a Kafka secret's value. Never echoes the value: it holds a password. */
export function kafkaCredentialsFromSecret(value: string, secretId: string): KafkaCredentials {
  let document: unknown;
  let problem: string | undefined;
  try {
    document = JSON.parse(value);
  } catch {
    // JSON.parse's message quotes the text it choked on: not repeated here.
    problem = 'the value is not JSON';
  }
  const credentials = kafkaCredentials.safeParse(document);
  if (!credentials.success) {
    const fields = [...new Set(credentials.error.issues.map((issue) => issue.path.join('.')))];
    problem ??= fields.includes('')
      ? 'the JSON is not an object'
      : `missing, empty or not text: ${fields.join(', ')}`;
    throw new KafkaSecretError(
      `The Kafka secret ${secretId} does not hold the JSON {"username", "password"} (${problem}). ` +
        `Put the credentials in: aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string '{"username":"…","password":"…"}'`,
    );
  }
  return { username: credentials.data.username, password: credentials.data.password };
}

/**
 * Reads the brokers' SASL credentials from Secrets Manager (KAFKA_SECRET_ARN), as deployed ingest does before
 * it connects. Powertools caches the value for its default 5 s, and the SDK honours AWS_ENDPOINT_URL.
 */
export async function readKafkaCredentialsSecret(secretId: string): Promise<KafkaCredentials> {
  return kafkaCredentialsFromSecret(await readSecretString(secretId, 'Kafka', KafkaSecretError), secretId);
}
