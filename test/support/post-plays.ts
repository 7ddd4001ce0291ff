/**
 * How the tests post plays: the one place that knows what a `POST /v1/plays` request carries besides its
 * body, so that a header every request needs (a credential) is added here once.
 */

/** The headers of every test's `POST /v1/plays`, for fetch and for raw requests alike. */
export function playsHeaders(): Record<string, string> {
  return { 'content-type': 'application/json' };
}

/** `POST <url>/v1/plays` with `body` (a value to send as JSON, or the exact text to send). */
export function postPlays(
  url: string,
  body: unknown,
  init: { signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${url}/v1/plays`, {
    method: 'POST',
    headers: playsHeaders(),
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}
