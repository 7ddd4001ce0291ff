import {
  apiKeyNameProblem,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
  type RateLimit,
} from '../domain/api-keys.ts';
import { ApiKeyNameTakenError, type ApiKeyRecord, type ApiKeyStore } from '../ports/api-key-store.ts';

export interface IssuedApiKey {
  readonly record: ApiKeyRecord;
  /** The secret: shown once, never stored. */
  readonly key: string;
}

/** A request the caller got wrong (a bad name, a name in use): the message says what to do. */
export class ApiKeyRequestError extends Error {
  override name = 'ApiKeyRequestError';
}

export async function createApiKey(
  keys: ApiKeyStore,
  request: { readonly name: string; readonly rateLimit: RateLimit },
): Promise<IssuedApiKey> {
  const problem = apiKeyNameProblem(request.name);
  if (problem) throw new ApiKeyRequestError(problem);
  const generated = generateApiKey();
  try {
    const record = await keys.create({
      name: request.name,
      prefix: generated.prefix,
      hash: generated.hash,
      rateLimit: request.rateLimit,
    });
    return { record, key: generated.key };
  } catch (error) {
    if (error instanceof ApiKeyNameTakenError) {
      throw new ApiKeyRequestError(`${error.message}; revoke it first or choose another name`);
    }
    throw error;
  }
}

/** `42` is the key with id 42; anything else is the name of a key in use. */
export function keyReference(text: string): { id: string } | { name: string } {
  return /^\d+$/.test(text) ? { id: text } : { name: text };
}

/**
 * The key `candidate` when it is a key in use, else a new key named `name` (the key that had the name, whose
 * secret the caller has lost, is revoked): how local mode keeps its development key and deploy:local its
 * smoke-test key across runs without ever storing a key in the clear in the database.
 */
export async function ensureNamedKey(
  keys: ApiKeyStore,
  request: { readonly candidate: string | undefined; readonly name: string; readonly rateLimit: RateLimit },
): Promise<{ readonly key: string; readonly created: boolean }> {
  const { candidate } = request;
  if (candidate && isWellFormedApiKey(candidate) && (await keys.findActive(hashApiKey(candidate)))) {
    return { key: candidate, created: false };
  }
  await keys.revoke({ name: request.name });
  const issued = await createApiKey(keys, request);
  return { key: issued.key, created: true };
}
