import { SeededSongSource } from '../adapters/catalog/seeded-song-source.ts';
import type { Settings } from '../config/settings.ts';
import type { Clock } from '../ports/clock.ts';
import type { SongSource } from '../ports/song-source.ts';

export interface SongSourceOptions {
  /** The seeded generator even when a key is configured. */
  readonly seeded?: boolean;
  /** The seed of the seeded generator. */
  readonly seed: number;
  /** Overrides OPENAI_MODEL. */
  readonly model?: string | undefined;
  readonly batchSize?: number | undefined;
  readonly concurrency?: number | undefined;
  readonly clock: Clock;
}

export interface SongSourceChoice {
  readonly source: SongSource;
  /** Why the seeded generator stands in for the chat model, when it does without being asked to. */
  readonly fallback: string | undefined;
  /** The server asked, for a chat model: OpenAI's API or OPENAI_BASE_URL. */
  readonly server: string | undefined;
}

export const DEFAULT_BATCH_SIZE = 50;
export const DEFAULT_CONCURRENCY = 4;
/** Times one batch is asked while its answers are malformed. */
export const ATTEMPTS_PER_BATCH = 3;

/**
 * The chat model when a key is configured (OPENAI_API_KEY, or the secret OPENAI_SECRET_ARN names), else the
 * seeded generator, with the reason. The OpenAI client is imported only when chosen.
 */
export async function chooseSongSource(
  settings: Settings,
  options: SongSourceOptions,
): Promise<SongSourceChoice> {
  const seeded = (fallback: string | undefined): SongSourceChoice => ({
    source: new SeededSongSource(options.seed),
    fallback,
    server: undefined,
  });
  if (options.seeded) return seeded(undefined);
  const openai = settings.openAi;
  let apiKey = openai.apiKey;
  if (!apiKey && openai.secretArn) {
    const { readOpenAiKeySecret } = await import('../adapters/secrets/openai-key-secret.ts');
    apiKey = await readOpenAiKeySecret(openai.secretArn);
    if (!apiKey) {
      return seeded(
        `the OpenAI secret ${openai.secretArn} holds no key yet (put-secret-value '{"api_key":"sk-…"}' fills it)`,
      );
    }
  }
  if (!apiKey) return seeded('OPENAI_API_KEY is not set');
  const { OpenAiSongSource } = await import('../adapters/openai/openai-song-source.ts');
  return {
    source: new OpenAiSongSource({
      apiKey,
      baseUrl: openai.baseUrl,
      model: options.model ?? openai.model,
      maxRetries: openai.maxRetries,
      timeoutMs: openai.timeoutMs,
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      attemptsPerBatch: ATTEMPTS_PER_BATCH,
      currentYear: options.clock().getUTCFullYear(),
    }),
    fallback: undefined,
    server: openai.baseUrl ?? 'the OpenAI API',
  };
}
