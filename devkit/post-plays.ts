/**
 * How the tests post plays: the one place that knows what a `POST /v1/plays` request carries besides its
 * body (its content type and the API key as a Bearer token), so that no test spells those headers itself.
 */

/** What a test needs to post plays: the API's base URL and a key in use (a LocalRuntime, a LocalProcess). */
export interface PlaysApi {
  readonly url: string;
  readonly apiKey: string;
}

/** The headers of every test's `POST /v1/plays`, for fetch and for raw requests alike; `null`: no key. */
export function playsHeaders(apiKey: string | null): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...(apiKey === null ? {} : { authorization: `Bearer ${apiKey}` }),
  };
}

/**
 * `POST <url>/v1/plays` with `body` (a value to send as JSON, or the exact text to send), with the API's key
 * unless `apiKey` names another (or `null`, none); `headers` add to or replace the usual ones.
 */
export function postPlays(
  api: PlaysApi,
  body: unknown,
  options: {
    readonly apiKey?: string | null;
    readonly headers?: Readonly<Record<string, string>>;
    readonly signal?: AbortSignal;
  } = {},
): Promise<Response> {
  return fetch(`${api.url}/v1/plays`, {
    method: 'POST',
    headers: {
      ...playsHeaders(options.apiKey === undefined ? api.apiKey : options.apiKey),
      ...options.headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
