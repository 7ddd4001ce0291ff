import { request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  /** Lower-case names, as node:http gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * An HTTP call to a deployed HTTP API through a LocalStack-compatible emulator. The stack's ApiUrl names
 * the API as AWS would (`https://<apiId>.execute-api.<region>.amazonaws.com/`); emulators route by the
 * Host header `<apiId>.execute-api.localhost` on their own port instead. node:http, since fetch does not
 * let a caller set Host.
 */
export function callDeployedApi(
  apiUrl: string,
  endpoint: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<HttpAnswer> {
  const apiId = new URL(apiUrl).hostname.split('.')[0];
  const target = new URL(endpoint);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: {
          ...headers,
          host: `${apiId}.execute-api.localhost:${target.port}`,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
        timeout: 60_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: response.headers,
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path}: no answer within 60 s`)));
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
