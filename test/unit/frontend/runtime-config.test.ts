import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  type DashboardConfig,
  loadRuntimeConfig,
} from '../../../frontend/src/config/runtime-config.ts';

const url = 'https://d111111abcdef8.cloudfront.net/config.json';
const fallback: DashboardConfig = { apiUrl: '', refreshSeconds: 30 };

/** A fetch that answers every request with this one response, and records what was asked. */
function answering(body: string, init: ResponseInit = {}) {
  const requests: { url: string; init: RequestInit | undefined }[] = [];
  const fetch = async (input: string | URL | Request, requestInit?: RequestInit) => {
    requests.push({ url: String(input), init: requestInit });
    return new Response(body, init);
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

const json = (value: unknown, status = 200) =>
  answering(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

const load = (fetch: typeof globalThis.fetch) => loadRuntimeConfig({ url, fallback, fetch });

describe('the dashboard runtime config (config.json)', () => {
  it('takes the API URL from config.json, without its trailing slash, bypassing the browser cache', async () => {
    const server = json({ apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/' });
    expect(await load(server.fetch)).toEqual({
      apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
      refreshSeconds: 30,
    });
    expect(server.requests).toEqual([{ url, init: expect.objectContaining({ cache: 'no-store' }) }]);
  });

  it('takes refreshSeconds from config.json when given, and accepts a same-origin path', async () => {
    expect(await load(json({ apiUrl: '/api', refreshSeconds: 5 }).fetch)).toEqual({
      apiUrl: '/api',
      refreshSeconds: 5,
    });
  });

  it('falls back to the build settings on 404 (no config.json)', async () => {
    const notFound = answering('{"message":"not found: /config.json"}', {
      status: 404,
      headers: { 'content-type': 'application/json' },
    });
    expect(await load(notFound.fetch)).toBe(fallback);
  });

  it("falls back when a single-page-app server answers with index.html (npm start's)", async () => {
    const spa = answering('<!doctype html><html></html>', {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
    });
    expect(await load(spa.fetch)).toBe(fallback);
  });

  it.each([
    ['a missing apiUrl', { refreshSeconds: 10 }, /apiUrl/],
    ['a non-http apiUrl', { apiUrl: 'ftp://example.com' }, /apiUrl must be an absolute http\(s\) URL/],
    ['a protocol-relative apiUrl', { apiUrl: '//evil.example' }, /apiUrl/],
    ['refreshSeconds out of range', { apiUrl: '/api', refreshSeconds: 0 }, /refreshSeconds/],
    ['refreshSeconds as a string', { apiUrl: '/api', refreshSeconds: '30' }, /refreshSeconds/],
    ['a misspelt key', { apiURL: 'https://example.com' }, /apiURL/],
  ])('rejects %s with a message naming the field and the file', async (_, body, message) => {
    const error = await load(json(body).fetch).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(`Invalid dashboard configuration in ${url}`);
  });

  it('rejects a config.json that is not JSON', async () => {
    const broken = answering('{"apiUrl": ', { headers: { 'content-type': 'application/json' } });
    await expect(load(broken.fetch)).rejects.toThrow(`The dashboard configuration ${url} is not valid JSON.`);
  });

  it('rejects HTTP errors other than 404 instead of guessing the API', async () => {
    await expect(load(json({ message: 'Access Denied' }, 403).fetch)).rejects.toThrow(
      `The dashboard configuration ${url} answered HTTP 403.`,
    );
  });

  it('rejects a network failure with the URL it tried', async () => {
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof globalThis.fetch;
    await expect(load(offline)).rejects.toThrow(
      `Could not fetch the dashboard configuration ${url}: Failed to fetch`,
    );
  });
});
