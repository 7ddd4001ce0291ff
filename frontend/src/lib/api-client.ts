import { z } from 'zod';
import { getConfig } from '../config/config';

export type ApiErrorKind = 'http' | 'network' | 'invalid-response';

/** Every failure of an API call: the HTTP status (0 when no response arrived) and a readable message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly kind: ApiErrorKind;

  constructor(kind: ApiErrorKind, status: number, message: string) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;

const ErrorBodySchema = z.object({ message: z.string().min(1) });

export type QueryParams = Record<string, string | number | undefined>;

export function buildUrl(path: string, query: QueryParams = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const search = params.toString();
  return `${getConfig().apiUrl}${path}${search ? `?${search}` : ''}`;
}

async function readJson(response: Response, signal: AbortSignal | undefined): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError('network', response.status, 'The connection to the charts API was interrupted.');
  }
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** GETs `path`, validates the JSON body with `schema`, and throws {@link ApiError} on any failure. */
export async function apiGet<T>(
  path: string,
  schema: z.ZodType<T>,
  options: { query?: QueryParams; signal?: AbortSignal } = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      headers: { accept: 'application/json' },
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError('network', 0, 'Could not reach the charts API.');
  }

  const body = await readJson(response, options.signal);
  if (!response.ok) {
    const parsed = ErrorBodySchema.safeParse(body);
    const message = parsed.success ? parsed.data.message : `Request failed with HTTP ${response.status}.`;
    throw new ApiError('http', response.status, message);
  }

  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError('invalid-response', response.status, `Unexpected response from ${path}.`);
  }
  return parsed.data;
}

/** {@link apiGet}, with `null` for HTTP 404: the API's answer when what was asked for does not exist (yet). */
export async function apiGetOrNull<T>(
  path: string,
  schema: z.ZodType<T>,
  options: { query?: QueryParams; signal?: AbortSignal } = {},
): Promise<T | null> {
  try {
    return await apiGet(path, schema, options);
  } catch (error) {
    if (isApiError(error) && error.kind === 'http' && error.status === 404) return null;
    throw error;
  }
}
