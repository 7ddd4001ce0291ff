import { authorizerContextOf } from '../../../src/domain/api-keys.ts';
import { createApiKey } from '../../../src/use-cases/manage-api-keys.ts';
import type { Dependencies } from '../../../src/wiring/dependencies.ts';

let created = 0;

/**
 * An API Gateway event for a route behind the API key authorizer, as the route's function receives it once
 * the authorizer allowed it: with a new key of `deps`' database in `requestContext.authorizer.lambda`.
 */
export async function asAuthorized<T extends object>(
  event: T,
  deps: Dependencies,
  rateLimit = { requests: 1000, windowSeconds: 60 } as const,
): Promise<T> {
  created += 1;
  const { record } = await createApiKey(await deps.apiKeys(), { name: `handler-test-${created}`, rateLimit });
  const { requestContext } = event as { requestContext?: object };
  return {
    ...event,
    requestContext: { ...requestContext, authorizer: { lambda: authorizerContextOf(record) } },
  };
}
