import { z } from 'zod';

/** Treats an unset or blank variable as absent so its default applies. */
const blankAsUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** An absolute http(s) URL, or a path such as `/api` on the dashboard's own origin. */
const apiUrl = z.preprocess(
  blankAsUndefined,
  z
    .union([z.url({ protocol: /^https?$/ }), z.string().regex(/^\/(?!\/)/)], {
      error: 'VITE_API_URL must be an http(s) URL, a path like /api, or empty for the same origin',
    })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
);

const refreshSeconds = z.preprocess(blankAsUndefined, z.coerce.number().int().min(1).max(3600).default(30));

const EnvSchema = z.object({
  VITE_API_URL: apiUrl.transform((url) => url ?? ''),
  VITE_REFRESH_SECONDS: refreshSeconds,
});

function parseEnv() {
  const result = EnvSchema.safeParse(import.meta.env);
  if (!result.success) {
    throw new Error(`Invalid dashboard configuration:\n${z.prettifyError(result.error)}`);
  }
  return {
    /** Base URL of the API without a trailing slash; '' means same origin. */
    apiUrl: result.data.VITE_API_URL,
    refreshSeconds: result.data.VITE_REFRESH_SECONDS,
  };
}

export const env = parseEnv();
