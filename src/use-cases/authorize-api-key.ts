import { type AuthorizerContext, authorizerContextOf, bearerApiKey, hashApiKey } from '../domain/api-keys.ts';
import type { ApiKeyStore } from '../ports/api-key-store.ts';

/** An API Gateway HTTP API Lambda authorizer's simple response. */
export interface SimpleAuthorizerResponse {
  readonly isAuthorized: boolean;
  readonly context?: AuthorizerContext;
}

/**
 * The API key authorizer: a request is authorized when its `Authorization: Bearer <key>` names a key in use;
 * its context (key id, name, rate limit) then goes to the route's function. A header that is not a
 * well-formed key is refused without asking the store.
 */
export async function authorizeApiKey(
  authorization: string | undefined,
  ports: { readonly keys: ApiKeyStore },
): Promise<SimpleAuthorizerResponse> {
  const key = bearerApiKey(authorization);
  if (!key) return { isAuthorized: false };
  const found = await ports.keys.findActive(hashApiKey(key));
  return found ? { isAuthorized: true, context: authorizerContextOf(found) } : { isAuthorized: false };
}
