/**
 * The OpenAPI document is the topology's routes with their schemas: every route and only the routes, a route
 * without schemas refused, and the committed copies (docs/openapi.json, the dashboard's types) up to date.
 */
import { describe, expect, it } from 'vitest';
import { openApiArtifacts, staleArtifacts } from '../../../scripts/openapi/artifacts.ts';
import { functions, httpRoutes } from '../../../src/topology.ts';
import { openApiDocument, RouteContractError } from '../../../src/use-cases/http-api/openapi-document.ts';

const routeKeys = functions.flatMap((fn) =>
  fn.trigger.kind === 'http' ? fn.trigger.routes.map((route) => `${route.method} ${route.path}`) : [],
);

describe('the OpenAPI document', () => {
  const document = openApiDocument(httpRoutes);

  it('describes every HTTP route of the topology, and nothing else', () => {
    const described = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(described.sort()).toEqual([...routeKeys].sort());
  });

  it('refuses a route without schemas, and schemas of no route, naming them', () => {
    const added = [...httpRoutes, { method: 'GET' as const, path: '/v1/charts/compare' }];
    expect(() => openApiDocument(added)).toThrow(RouteContractError);
    expect(() => openApiDocument(added)).toThrow(
      /routes without an operation .*: GET \/v1\/charts\/compare$/,
    );
    const removed = httpRoutes.filter((route) => route.path !== '/v1/regions');
    expect(() => openApiDocument(removed)).toThrow(
      /operations of no route in src\/topology.ts: GET \/v1\/regions$/,
    );
  });

  it('asks for an API key on exactly the routes the topology puts behind an authorizer', () => {
    const guarded = httpRoutes
      .filter((route) => route.authorizer)
      .map((route) => `${route.method} ${route.path}`);
    expect(guarded).toEqual(['POST /v1/plays']);
    for (const route of httpRoutes) {
      const key = `${route.method} ${route.path}`;
      const operation = document.paths?.[route.path]?.[route.method === 'GET' ? 'get' : 'post'];
      const answers = Object.keys(operation?.responses ?? {});
      if (guarded.includes(key)) {
        expect(operation?.security, key).toEqual([{ bearerAuth: [] }]);
        expect(answers, key).toEqual(expect.arrayContaining(['401', '403']));
      } else {
        expect(operation?.security, key).toBeUndefined();
        expect(answers, key).not.toContain('401');
      }
    }
  });

  it('documents every answer a route gives, with its body and the headers a client relies on', () => {
    const operation = (path: string, method: 'get' | 'post') => {
      const found = document.paths?.[path]?.[method];
      if (!found) throw new Error(`${method} ${path} is not in the document`);
      return found;
    };
    const plays = operation('/v1/plays', 'post');
    expect(Object.keys(plays.responses ?? {})).toEqual([
      '202',
      '400',
      '401',
      '403',
      '413',
      '415',
      '429',
      '503',
    ]);
    expect(Object.keys(plays.responses?.['429']?.headers ?? {})).toEqual(['Retry-After']);
    expect(document.components?.securitySchemes?.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    const chart = operation('/v1/charts', 'get');
    expect(Object.keys(chart.responses ?? {})).toEqual(['200', '304', '400', '404', '503']);
    expect(Object.keys(chart.responses?.['200']?.headers ?? {})).toEqual([
      'ETag',
      'Cache-Control',
      'Content-Length',
    ]);
    expect(Object.keys(chart.responses?.['503']?.headers ?? {})).toEqual(['Retry-After']);
    expect(chart.parameters?.map((parameter) => 'name' in parameter && parameter.name)).toEqual([
      'region',
      'period',
      'start',
      'genre',
      'If-None-Match',
    ]);
    const limit = operation('/v1/charts/windows', 'get').parameters?.find(
      (parameter) => 'name' in parameter && parameter.name === 'limit',
    );
    expect(limit).toMatchObject({ schema: { type: 'integer', minimum: 1, maximum: 168, default: 24 } });
  });

  it('is committed as it is generated: docs/openapi.json and frontend/src/lib/api-types.gen.ts (npm run openapi)', async () => {
    expect(await staleArtifacts(await openApiArtifacts())).toEqual([]);
  });
});
