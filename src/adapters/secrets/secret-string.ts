import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

/**
 * The string value of a Secrets Manager secret, through Powertools (cached for its default 5 s). Failures
 * name the secret and what it is for (`what`, e.g. "database"), as the error `SecretError` of its caller.
 */
export async function readSecretString(
  secretId: string,
  what: string,
  SecretError: new (message: string, options?: ErrorOptions) => Error,
): Promise<string> {
  let value: unknown;
  try {
    value = await getSecret(secretId);
  } catch (error) {
    throw new SecretError(`Could not read the ${what} secret ${secretId}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof value !== 'string') throw new SecretError(`The ${what} secret ${secretId} has no string value`);
  return value;
}
