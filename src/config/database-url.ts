import { z } from 'zod';

/**
 * What a database secret may hold: the DATABASE_URL itself (the secret the stack creates for you to fill
 * in), or the JSON document RDS writes for generated credentials.
 */
const rdsCredentials = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535).default(5432),
  dbname: z.string().min(1).default('postgres'),
});

export class DatabaseSecretError extends Error {
  override name = 'DatabaseSecretError';
}

/**
 * The connection URL in a database secret's value. Never echoes the value: it holds a password.
 * URLs built from RDS credentials ask for verified TLS (RDS enforces TLS; Lambda trusts its CA bundle
 * through NODE_EXTRA_CA_CERTS).
 */
export function databaseUrlFromSecret(value: string, secretId: string): string {
  const text = value.trim();
  if (/^postgres(ql)?:\/\/\S+$/.test(text)) return text;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = undefined;
  }
  const credentials = rdsCredentials.safeParse(document);
  if (!credentials.success) {
    throw new DatabaseSecretError(
      `The secret ${secretId} holds neither a postgres:// URL nor RDS credentials ({username, password, host, port, dbname}). ` +
        `Put the DATABASE_URL in: aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string 'postgres://user:password@host:5432/db'`,
    );
  }
  const { username, password, host, port, dbname } = credentials.data;
  const user = `${encodeURIComponent(username)}:${encodeURIComponent(password)}`;
  return `postgres://${user}@${host}:${port}/${encodeURIComponent(dbname)}?sslmode=verify-full`;
}
