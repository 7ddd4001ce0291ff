import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DatabaseSecretError, databaseUrlFromSecret } from '../../config/database-url.ts';

/**
 * Reads DATABASE_URL from Secrets Manager (DATABASE_SECRET_ARN), the way deployed functions learn it at
 * cold start. Powertools caches the value for its default 5 s, and the SDK honours AWS_ENDPOINT_URL.
 */
export async function readDatabaseUrlSecret(secretId: string): Promise<string> {
  let value: unknown;
  try {
    value = await getSecret(secretId);
  } catch (error) {
    throw new DatabaseSecretError(
      `Could not read the database secret ${secretId}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (typeof value !== 'string') {
    throw new DatabaseSecretError(`The database secret ${secretId} has no string value`);
  }
  return databaseUrlFromSecret(value, secretId);
}
