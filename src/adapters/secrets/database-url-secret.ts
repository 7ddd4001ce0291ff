import { DatabaseSecretError, databaseUrlFromSecret } from '../../config/database-url.ts';
import { readSecretString } from './secret-string.ts';

/**
 * Reads DATABASE_URL from Secrets Manager (DATABASE_SECRET_ARN), the way deployed functions learn it at
 * cold start. Powertools caches the value for its default 5 s, and the SDK honours AWS_ENDPOINT_URL.
 */
export async function readDatabaseUrlSecret(secretId: string): Promise<string> {
  return databaseUrlFromSecret(await readSecretString(secretId, 'database', DatabaseSecretError), secretId);
}
