/**
 * The OpenAPI 3.1 document of the HTTP API: the topology's routes, each with its operation from operations.ts,
 * rendered by zod-openapi (zod's own JSON Schema output: requests as zod parses them, responses as they are
 * built). Served at GET /v1/openapi.json; `npm run openapi` writes it to docs/openapi.json.
 */
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import type { HttpRoute } from '../../topology.ts';
import {
  authorizerResponses,
  httpApiOperations,
  namedSchemas,
  type RouteKey,
  securitySchemes,
} from './operations.ts';

export type OpenApiDocument = ReturnType<typeof createDocument>;

/** A route behind an authorizer takes an API key, and may be refused by it with 401 or 403. */
function withAuthorizer(route: HttpRoute, operation: ZodOpenApiOperationObject): ZodOpenApiOperationObject {
  if (!route.authorizer) return operation;
  return {
    ...operation,
    security: [{ bearerAuth: [] }],
    responses: { ...authorizerResponses, ...operation.responses },
  };
}

export class RouteContractError extends Error {
  override name = 'RouteContractError';
}

/**
 * The document of `routes`. Every route needs an operation and every operation a route: a route added to the
 * topology without its schemas, or schemas left behind by a removed route, is an error, not a gap in the document.
 */
export function openApiDocument(
  routes: readonly HttpRoute[],
  operations: Readonly<Record<RouteKey, ZodOpenApiOperationObject>> = httpApiOperations,
): OpenApiDocument {
  const keys = routes.map((route): RouteKey => `${route.method} ${route.path}` as RouteKey);
  const undescribed = keys.filter((key) => !(key in operations));
  const unrouted = Object.keys(operations).filter((key) => !keys.includes(key as RouteKey));
  if (undescribed.length > 0 || unrouted.length > 0) {
    throw new RouteContractError(
      [
        undescribed.length > 0 &&
          `routes without an operation in src/use-cases/http-api/operations.ts: ${undescribed.join(', ')}`,
        unrouted.length > 0 && `operations of no route in src/topology.ts: ${unrouted.join(', ')}`,
      ]
        .filter(Boolean)
        .join('; '),
    );
  }
  const paths: ZodOpenApiPathsObject = {};
  for (const [index, route] of routes.entries()) {
    const method = route.method === 'GET' ? 'get' : 'post';
    paths[route.path] = { ...paths[route.path], [method]: withAuthorizer(route, operations[keys[index]!]!) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Top Songs',
      version: '1',
      description:
        'Song plays in, top-10 charts per region, hour and day out. Generated from the zod schemas the ' +
        'handlers validate with (npm run openapi); docs/contracts.md explains each route.',
    },
    paths,
    components: { schemas: namedSchemas, securitySchemes },
  });
}
