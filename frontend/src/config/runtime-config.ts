import { z } from 'zod';

/**
 * The dashboard's settings, whatever their source: `config.json` next to index.html (written by the CDK
 * deployment, lib/constructs/dashboard-site.ts) or, without one, the build's VITE_ variables (env.ts).
 *
 * This module imports nothing from Vite (no `import.meta.env`, no DOM globals), so that the loader can be
 * unit-tested under Node: test/unit/frontend/runtime-config.test.ts.
 */
export interface DashboardConfig {
  /** Base URL of the API without a trailing slash; '' means same origin. */
  readonly apiUrl: string;
  /** Seconds between automatic chart refreshes. */
  readonly refreshSeconds: number;
}

/** An absolute http(s) URL, or a path such as `/api` on the dashboard's own origin; trailing slashes go. */
export const apiUrlSchema = (error: string) =>
  z
    .union([z.url({ protocol: /^https?$/ }), z.string().regex(/^\/(?!\/)/)], { error })
    .transform((url) => url.replace(/\/+$/, ''));

export const refreshSecondsSchema = z.number().int().min(1).max(3600);

/** `config.json`: strict, so that a misspelt key fails loudly instead of being ignored. */
export const RuntimeConfigSchema = z.strictObject({
  apiUrl: apiUrlSchema('apiUrl must be an absolute http(s) URL or a path like /api'),
  refreshSeconds: refreshSecondsSchema.optional(),
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadOptions {
  /** Where config.json lives; main.tsx passes it resolved against the page. */
  readonly url: string;
  /** The build's settings: used when there is no config.json, and for what config.json leaves out. */
  readonly fallback: DashboardConfig;
  readonly fetch?: typeof fetch;
}

/**
 * Reads `config.json`. Absent means "use the build's settings": a 404, or the index.html that a
 * single-page-app server (`npm start`'s, Vite's) answers for any unknown path. Anything else that is
 * not a valid config (unreachable, HTTP errors, bad JSON, wrong fields) is a {@link ConfigError}: a
 * deployed dashboard must not silently call the wrong API.
 */
export async function loadRuntimeConfig({
  url,
  fallback,
  fetch: fetcher = fetch,
}: LoadOptions): Promise<DashboardConfig> {
  let response: Response;
  try {
    // no-store: a config cached from the previous deployment could point at an API that is gone.
    response = await fetcher(url, { cache: 'no-store', headers: { accept: 'application/json' } });
  } catch (error) {
    throw new ConfigError(`Could not fetch the dashboard configuration ${url}: ${(error as Error).message}`);
  }
  if (response.status === 404) return fallback;
  if (!response.ok) {
    throw new ConfigError(`The dashboard configuration ${url} answered HTTP ${response.status}.`);
  }
  if (response.headers.get('content-type')?.startsWith('text/html')) return fallback;

  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    throw new ConfigError(`The dashboard configuration ${url} is not valid JSON.`);
  }
  const parsed = RuntimeConfigSchema.safeParse(body);
  if (!parsed.success) {
    throw new ConfigError(`Invalid dashboard configuration in ${url}:\n${z.prettifyError(parsed.error)}`);
  }
  return {
    apiUrl: parsed.data.apiUrl,
    refreshSeconds: parsed.data.refreshSeconds ?? fallback.refreshSeconds,
  };
}
