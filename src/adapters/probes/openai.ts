import { type ConnectionProbe, fail, ok } from '../../ports/connection-probe.ts';
import { UNREACHABLE_ERRNOS } from '../network-errors.ts';
import { errorCodes, hasAny, oneLine, UNKNOWN_HOST } from './error-codes.ts';

/**
 * An OpenAI-compatible server (OpenAI, Ollama, vLLM, LM Studio): GET {base}/models with the key, the cheapest
 * call that proves both the address and the key. The key is sent, never shown.
 */
export function openAiProbe(options: {
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
}): ConnectionProbe {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    service: 'openai',
    target: base,
    silentHint: `nothing answers at ${base}: is the server running? check OPENAI_BASE_URL`,
    check: async (signal) => {
      let response: Response;
      try {
        response = await fetch(`${base}/models`, {
          headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
          signal,
        });
      } catch (error) {
        const codes = errorCodes(error);
        const detail = oneLine(error);
        if (hasAny(codes, UNKNOWN_HOST))
          return fail(detail, `the host of ${base} does not resolve: check OPENAI_BASE_URL`);
        if (hasAny(codes, UNREACHABLE_ERRNOS))
          return fail(detail, `nothing answers at ${base}: is the server running? check OPENAI_BASE_URL`);
        return fail(
          detail,
          'check OPENAI_BASE_URL (a URL such as https://api.openai.com/v1 or http://127.0.0.1:11434/v1)',
        );
      }
      const body = await response.text().catch(() => '');
      if (response.status === 401 || response.status === 403) {
        return fail(
          `HTTP ${response.status}`,
          options.apiKey
            ? `${base} refused OPENAI_API_KEY: check the key`
            : `${base} wants a key: set OPENAI_API_KEY`,
        );
      }
      if (response.status === 404) {
        return fail('HTTP 404 for /models', `${base} has no /models: OPENAI_BASE_URL usually ends in /v1`);
      }
      if (!response.ok) {
        return fail(
          `HTTP ${response.status}: ${body.slice(0, 120)}`,
          `${base} answered with an error: check OPENAI_BASE_URL and the server's logs`,
        );
      }
      const models = modelCount(body);
      if (models === undefined) {
        return fail(
          '/models did not answer with a model list',
          `${base} does not look OpenAI-compatible: check OPENAI_BASE_URL`,
        );
      }
      return ok(`${models} model${models === 1 ? '' : 's'}`);
    },
  };
}

/** The number of models in a `{"object": "list", "data": [...]}` answer, or undefined for anything else. */
function modelCount(body: string): number | undefined {
  try {
    const parsed = JSON.parse(body) as { data?: unknown };
    return Array.isArray(parsed.data) ? parsed.data.length : undefined;
  } catch {
    return undefined;
  }
}
