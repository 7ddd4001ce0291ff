/** Routes with `{name}` segments, matched the same way by the local HTTP server and the charts API. */
import { describe, expect, it } from 'vitest';
import { HttpApiEventSchema, toHttpRequest } from '../../../functions/shared/http.ts';
import { apiGatewayEvent } from '../../../local/lambda-events.ts';
import { matchRoutePath } from '../../../src/domain/http/route-path.ts';

describe('matchRoutePath', () => {
  it.each([
    ['/v1/charts', '/v1/charts', {}],
    ['/v1/songs/{song_id}', '/v1/songs/song-000042', { song_id: 'song-000042' }],
    ['/v1/songs/{song_id}', '/v1/songs/a%20b%2Fc', { song_id: 'a b/c' }],
    ['/v1/{kind}/{id}', '/v1/songs/7', { kind: 'songs', id: '7' }],
  ])('matches %s to %s', (route, path, parameters) => {
    expect(matchRoutePath(route, path)).toEqual(parameters);
  });

  it.each([
    ['/v1/charts', '/v1/charts/'],
    ['/v1/charts', '/v1/chart'],
    ['/v1/songs/{song_id}', '/v1/songs'],
    ['/v1/songs/{song_id}', '/v1/songs/'],
    ['/v1/songs/{song_id}', '/v1/songs/a/b'],
    ['/v1/songs/{song_id}', '/v1/songs/%E0%A4%A'],
  ])('does not match %s to %s', (route, path) => {
    expect(matchRoutePath(route, path)).toBeUndefined();
  });
});

describe('the local API Gateway event of a route with a path parameter', () => {
  const event = apiGatewayEvent({
    method: 'GET',
    url: new URL('http://localhost:3000/v1/songs/song%2D7?period=hour'),
    route: { path: '/v1/songs/{song_id}', parameters: { song_id: 'song-7' } },
    headers: { 'if-none-match': '"abc"' },
    body: undefined,
    sourceIp: '127.0.0.1',
  });

  it('carries the route key and path parameters as API Gateway does, the raw path as sent', () => {
    expect(event.routeKey).toBe('GET /v1/songs/{song_id}');
    expect(event.requestContext.routeKey).toBe('GET /v1/songs/{song_id}');
    expect(event.pathParameters).toEqual({ song_id: 'song-7' });
    expect(event.rawPath).toBe('/v1/songs/song%2D7');
  });

  it('passes the handlers’ envelope validation and reaches the use case with its headers', () => {
    const request = toHttpRequest(HttpApiEventSchema.parse(event) as typeof event);
    expect(request).toMatchObject({ path: '/v1/songs/song%2D7', headers: { 'if-none-match': '"abc"' } });
  });
});
