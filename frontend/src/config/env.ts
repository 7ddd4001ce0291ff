import { z } from 'zod';
import { apiUrlSchema, type DashboardConfig, refreshSecondsSchema } from './runtime-config';

/**
 * The build-time settings (VITE_ variables). They apply when the dashboard is served without a
 * `config.json` (`npm start`, `vite`); a deployed dashboard gets its API address from config.json.
 */

/** Treats an unset or blank variable as absent so its default applies. */
const blankAsUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const apiUrl = z.preprocess(
  blankAsUndefined,
  apiUrlSchema(
    'VITE_API_URL must be an http(s) URL, a path like /api, or empty for the same origin',
  ).optional(),
);

const refreshSeconds = z.preprocess(
  blankAsUndefined,
  z.coerce.number().pipe(refreshSecondsSchema).default(30),
);

const EnvSchema = z.object({
  VITE_API_URL: apiUrl.transform((url) => url ?? ''),
  VITE_REFRESH_SECONDS: refreshSeconds,
});

function parseEnv(): DashboardConfig {
  const result = EnvSchema.safeParse(import.meta.env);
  if (!result.success) {
    throw new Error(`Invalid dashboard configuration:\n${z.prettifyError(result.error)}`);
  }
  return {
    apiUrl: result.data.VITE_API_URL,
    refreshSeconds: result.data.VITE_REFRESH_SECONDS,
  };
}

export const env = parseEnv();
