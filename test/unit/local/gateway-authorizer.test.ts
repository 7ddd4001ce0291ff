/**
 * The local gateway's authorizer step with a scripted authorizer: what API Gateway's HTTP API does for a
 * route behind a Lambda authorizer with simple responses (401 unasked, 403, 500, cache by identity and TTL).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createGatewayAuthorizer } from '../../../local/gateway-authorizer.ts';
import { apiGatewayEvent } from '../../../local/lambda-events.ts';
import { type FunctionName, functionNamed } from '../../../src/topology.ts';

const ingest = functionNamed('ingest');
const chartsApi = functionNamed('charts-api');
const TTL_MS = 60_000;

function request(method: string, path: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return apiGatewayEvent({
    method,
    url: new URL(`http://localhost:3000${path}`),
    headers: { 'content-type': 'application/json', ...headers },
    body: method === 'POST' ? '{}' : undefined,
    sourceIp: '127.0.0.1',
  });
}

/** A gateway whose authorizer answers `answer(event)`; records every invocation. */
function gatewayWith(answer: (event: { identitySource: string[] }) => unknown) {
  let now = Date.parse('2026-11-20T10:00:00Z');
  const calls: { name: FunctionName; event: Record<string, unknown> }[] = [];
  const gateway = createGatewayAuthorizer(
    async (name, event) => {
      calls.push({ name, event: event as Record<string, unknown> });
      if (name === 'api-key-authorizer') return answer(event as { identitySource: string[] });
      return { statusCode: 202, body: 'invoked' };
    },
    () => new Date(now),
  );
  return {
    gateway,
    calls,
    authorizerCalls: () => calls.filter((call) => call.name === 'api-key-authorizer').length,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const allowKeyA = (event: { identitySource: string[] }) =>
  event.identitySource[0] === 'Bearer A'
    ? { isAuthorized: true, context: { keyId: '1', keyName: 'a' } }
    : { isAuthorized: false };

describe('the local gateway’s authorizer step', () => {
  it('answers 401 without invoking anything when the Authorization header is missing or empty', async () => {
    const { gateway, calls } = gatewayWith(allowKeyA);
    for (const headers of [{}, { authorization: '' }] as Record<string, string>[]) {
      expect(await gateway.invokeRoute(ingest, request('POST', '/v1/plays', headers))).toEqual({
        statusCode: 401,
        headers: { 'content-type': 'application/json' },
        body: '{"message":"Unauthorized"}',
      });
    }
    expect(calls).toEqual([]);
  });

  it('hands the authorizer a payload 2.0 REQUEST event, and the function its context', async () => {
    const { gateway, calls } = gatewayWith(allowKeyA);
    const answer = await gateway.invokeRoute(
      ingest,
      request('POST', '/v1/plays', { authorization: 'Bearer A' }),
    );
    expect(answer).toEqual({ statusCode: 202, body: 'invoked' });
    const [authorizerCall, functionCall] = calls;
    expect(authorizerCall?.name).toBe('api-key-authorizer');
    expect(authorizerCall?.event).toMatchObject({
      version: '2.0',
      type: 'REQUEST',
      routeArn: 'arn:aws:execute-api:local:000000000000:local/$default/POST/v1/plays',
      identitySource: ['Bearer A'],
      routeKey: 'POST /v1/plays',
      rawPath: '/v1/plays',
      headers: { authorization: 'Bearer A' },
      requestContext: { http: { method: 'POST', path: '/v1/plays' } },
    });
    expect(functionCall?.name).toBe('ingest');
    expect(functionCall?.event).toMatchObject({
      routeKey: 'POST /v1/plays',
      requestContext: { authorizer: { lambda: { keyId: '1', keyName: 'a' } } },
    });
  });

  it('answers 403 for a refusal, and reuses each identity’s answer, allow or deny, for the TTL', async () => {
    const { gateway, authorizerCalls, advance } = gatewayWith(allowKeyA);
    const post = (key: string) =>
      gateway.invokeRoute(ingest, request('POST', '/v1/plays', { authorization: key }));
    expect(await post('Bearer B')).toMatchObject({ statusCode: 403, body: '{"message":"Forbidden"}' });
    expect(await post('Bearer A')).toMatchObject({ statusCode: 202 });
    advance(TTL_MS - 1);
    expect(await post('Bearer B')).toMatchObject({ statusCode: 403 });
    expect(await post('Bearer A')).toMatchObject({ statusCode: 202 });
    expect(authorizerCalls()).toBe(2);
    advance(1);
    await post('Bearer A');
    await post('Bearer B');
    expect(authorizerCalls()).toBe(4);
  });

  it.each([
    ['throws', () => Promise.reject(new Error('database unreachable'))],
    ['answers a string', () => ({ isAuthorized: 'true' })],
    ['answers an IAM policy', () => ({ principalId: 'x', policyDocument: {} })],
    ['answers a context that is no object', () => ({ isAuthorized: true, context: 'key 1' })],
  ])('answers 500 when the authorizer %s, and asks it again next time', async (_, answer) => {
    const { gateway, calls, authorizerCalls } = gatewayWith(answer);
    const post = () =>
      gateway.invokeRoute(ingest, request('POST', '/v1/plays', { authorization: 'Bearer A' }));
    expect(await post()).toMatchObject({ statusCode: 500, body: '{"message":"Internal Server Error"}' });
    await post();
    expect(authorizerCalls()).toBe(2);
    expect(calls.some((call) => call.name === 'ingest')).toBe(false);
  });

  it('invokes a public route’s function directly', async () => {
    const { gateway, calls } = gatewayWith(allowKeyA);
    expect(await gateway.invokeRoute(chartsApi, request('GET', '/v1/regions'))).toEqual({
      statusCode: 202,
      body: 'invoked',
    });
    expect(calls.map((call) => call.name)).toEqual(['charts-api']);
  });
});
