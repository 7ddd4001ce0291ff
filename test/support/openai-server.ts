/**
 * A small OpenAI-compatible HTTP server for tests: `POST /v1/chat/completions` answers with structured output
 * built from the request's own JSON schema (`response_format.json_schema.schema`), so the real `openai`
 * client talks to it as to any compatible server. Faults are scripted, one per request in arrival order.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  /** An HTTP error, e.g. 429 with Retry-After, or 500. */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds?: number }
  /** A 200 whose content is prose, not JSON. */
  | { readonly kind: 'not-json' }
  /** A 200 whose JSON breaks the schema: a genre outside the list and a year as text. */
  | { readonly kind: 'off-schema' };

export interface FakeOpenAiOptions {
  /** Applied to the first requests, in order; later requests are answered normally. */
  readonly faults?: readonly Fault[];
  /**
   * From the second answer on, this many songs of each answer repeat songs of earlier answers, written
   * differently (case, spaces, punctuation), so only normalized deduplication catches them.
   */
  readonly repeatsPerAnswer?: number;
  /** The bearer token expected; another one gets a 401. */
  readonly apiKey?: string;
}

export interface RecordedRequest {
  readonly at: number;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly retryCount: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: the request body as the client sent it, inspected by tests.
  readonly body: any;
  /** What the server answered: an HTTP status, or the kind of 200 answer. */
  readonly answered: number | 'songs' | 'not-json' | 'off-schema';
}

export interface FakeOpenAi {
  /** The base URL for OPENAI_BASE_URL (ends in /v1). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Every song the server answered with (repeats included), by title. */
  readonly songsServed: () => number;
  close(): Promise<void>;
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  $ref?: string;
  anyOf?: JsonSchema[];
};

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const faults = [...(options.faults ?? [])];
  const requests: RecordedRequest[] = [];
  const served: { title: string; artist: string }[] = [];
  let counter = 0;
  let answers = 0;

  const server = createServer(async (request, response) => {
    const text = await readBody(request);
    const authorization = request.headers.authorization;
    const record = (answered: RecordedRequest['answered'], body: unknown) =>
      requests.push({
        at: Date.now(),
        path: request.url ?? '',
        authorization,
        retryCount: header(request, 'x-stainless-retry-count'),
        body,
        answered,
      });
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      record(404, text);
      return sendJson(response, 404, { error: { message: `no route ${request.method} ${request.url}` } });
    }
    const body = JSON.parse(text) as {
      model: string;
      response_format?: { type: string; json_schema?: { schema: JsonSchema } };
    };
    if (options.apiKey && authorization !== `Bearer ${options.apiKey}`) {
      record(401, body);
      return sendJson(response, 401, {
        error: { message: 'Incorrect API key provided', type: 'invalid_request_error' },
      });
    }
    const fault = faults.shift();
    if (fault?.kind === 'status') {
      record(fault.status, body);
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      return sendJson(
        response,
        fault.status,
        {
          error: {
            message: `scripted ${fault.status}`,
            type: fault.status === 429 ? 'rate_limit_error' : 'server_error',
          },
        },
        headers,
      );
    }
    const schema = body.response_format?.json_schema?.schema;
    if (!schema) {
      record(400, body);
      return sendJson(response, 400, { error: { message: 'this server only answers structured output' } });
    }
    let content: string;
    if (fault?.kind === 'not-json') {
      content = 'Sure! Here are some great songs you will love: 1. ...';
    } else if (fault?.kind === 'off-schema') {
      const document = build(schema, schema, 'root') as { songs: Record<string, unknown>[] };
      document.songs[0]!.genre = 'polka';
      document.songs[0]!.release_year = 'nineteen ninety';
      content = JSON.stringify(document);
    } else {
      const document = build(schema, schema, 'root') as { songs: { title: string; artist: string }[] };
      if (answers > 0 && options.repeatsPerAnswer) {
        for (let i = 0; i < options.repeatsPerAnswer && i < document.songs.length; i++) {
          const earlier = served[(answers * 7 + i) % served.length]!;
          document.songs[i]!.title = `  ${earlier.title.toUpperCase()}!`;
          document.songs[i]!.artist = earlier.artist.toLowerCase().replace(' ', '   ');
        }
      }
      served.push(...document.songs.map(({ title, artist }) => ({ title, artist })));
      answers += 1;
      content = JSON.stringify(document);
    }
    record(fault?.kind ?? 'songs', body);
    sendJson(response, 200, {
      id: `chatcmpl-${requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 100, completion_tokens: 100, total_tokens: 200 },
    });
  });

  /** A value that satisfies `schema`, numbered by a counter so every song differs from the others. */
  function build(schema: JsonSchema, root: JsonSchema, name: string): unknown {
    if (schema.$ref) return build(resolveRef(root, schema.$ref), root, name);
    if (schema.anyOf) return build(schema.anyOf[0]!, root, name);
    const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
    if (schema.enum) return schema.enum[counter % schema.enum.length];
    switch (type) {
      case 'object':
        return Object.fromEntries(
          Object.entries(schema.properties ?? {}).map(([key, value]) => [key, build(value, root, key)]),
        );
      case 'array': {
        const items = schema.items ?? {};
        if (items.enum || items.$ref) {
          // A set of choices (home regions): a few distinct ones, none for every third song.
          const choices = (items.enum ?? resolveRef(root, items.$ref!).enum ?? []) as unknown[];
          return choices.filter((_, i) => (counter + i) % 3 === 0).slice(0, counter % 3);
        }
        const length = schema.maxItems ?? Math.max(schema.minItems ?? 0, 3);
        return Array.from({ length }, () => {
          counter += 1;
          return build(items, root, name);
        });
      }
      case 'integer':
      case 'number': {
        const min = schema.minimum ?? 0;
        const max = schema.maximum ?? min + 1000;
        return min + ((counter * 37) % (max - min + 1));
      }
      case 'boolean':
        return counter % 2 === 0;
      default:
        if (schema.pattern === '^[a-z]{2,3}$') return ['en', 'es', 'pt', 'ja', 'hi'][counter % 5];
        return `Fake ${name} ${counter}`;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    songsServed: () => served.length,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema {
  // biome-ignore lint/suspicious/noExplicitAny: walking a JSON pointer through an untyped document.
  let node: any = root;
  for (const part of ref.replace(/^#\//, '').split('/')) node = node?.[part];
  if (!node) throw new Error(`unresolvable $ref ${ref}`);
  return node as JsonSchema;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}
