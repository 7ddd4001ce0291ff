import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { type GeneratedSong, songBatchSchema } from '../../domain/catalog.ts';
import { type Song, songIdFor, songKey } from '../../domain/song.ts';
import type { SongRequest, SongSource, SongSourceProgress } from '../../ports/song-source.ts';
import { songBatchMessages } from './song-prompt.ts';

export interface OpenAiSongSourceOptions {
  readonly apiKey: string;
  /** Any OpenAI-compatible server (Ollama, vLLM, LM Studio…); unset: OpenAI's own API. */
  readonly baseUrl?: string | undefined;
  readonly model: string;
  /** The client's own retries of 408/409/429/5xx and connection errors, with backoff (Retry-After honoured). */
  readonly maxRetries: number;
  /** Per request, including the model's generation time. */
  readonly timeoutMs: number;
  /** Songs asked for per request. */
  readonly batchSize: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Times one batch is asked when its answers are malformed, before the generation gives up. */
  readonly attemptsPerBatch: number;
  /** The newest release year accepted. */
  readonly currentYear: number;
}

/** The model's answer broke the contract (not JSON, not the schema, refused, cut off): it is not used. */
export class MalformedAnswerError extends Error {
  override name = 'MalformedAnswerError';
}

/** A generation that cannot go on: the server refused (401, 404…), kept failing, or kept answering malformed. */
export class CatalogGenerationError extends Error {
  override name = 'CatalogGenerationError';
}

/**
 * Songs from a chat model through the official client: batches of structured output (a strict JSON schema
 * from zod, and the same schema validating each answer), several in flight, deduplicated across batches by
 * title and artist. More batches are asked for while duplicates leave the catalog short, up to a bound.
 */
export class OpenAiSongSource implements SongSource {
  readonly source = 'openai';
  readonly model: string;
  readonly seed = null;
  private readonly options: OpenAiSongSourceOptions;

  constructor(options: OpenAiSongSourceOptions) {
    this.options = options;
    this.model = options.model;
  }

  async songs(request: SongRequest): Promise<Song[]> {
    const { options } = this;
    if (request.regions.length === 0)
      throw new CatalogGenerationError('No regions to choose home regions from');
    const kept = new Map<string, Song>();
    const progress = {
      batchesDone: 0,
      batchesPlanned: Math.ceil(request.count / options.batchSize),
      songs: 0,
      duplicates: 0,
      refused: 0,
      lastRefusal: undefined as string | undefined,
      throttled: 0,
    } satisfies SongSourceProgress;
    const report = () => request.onProgress?.({ ...progress });
    // Duplicates are made up for by more batches, but never more than half as many again (plus two).
    const maxBatches = progress.batchesPlanned + Math.ceil(progress.batchesPlanned / 2) + 2;
    const stop = new AbortController();
    const client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      maxRetries: options.maxRetries,
      timeout: options.timeoutMs,
      // Counts what the client retries, for the progress line; the client itself waits and retries.
      fetch: async (url, init) => {
        const response = await fetch(url, init);
        if (response.status === 429 || response.status >= 500) {
          progress.throttled += 1;
          report();
        }
        return response;
      },
    });

    let started = 0;
    let asked = 0;
    const worker = async (): Promise<void> => {
      while (!stop.signal.aborted && started < maxBatches && kept.size + asked < request.count) {
        const index = started++;
        // The last songs are asked for in half a batch at least: a model that repeats itself would otherwise
        // be asked for 3 songs at a time and answer 3 known ones until the bound.
        const missing = request.count - kept.size - asked;
        const size = Math.min(options.batchSize, Math.max(missing, Math.ceil(options.batchSize / 2)));
        asked += size;
        progress.batchesPlanned = Math.max(progress.batchesPlanned, started);
        let batch: GeneratedSong[];
        try {
          batch = await this.askBatch(client, index, size, request.regions, stop.signal, (reason) => {
            progress.refused += 1;
            progress.lastRefusal = reason;
            report();
          });
        } finally {
          asked -= size;
        }
        for (const generated of batch) {
          const song = toSong(generated, request.regions);
          const key = songKey(song.title, song.artist);
          if (kept.has(key)) progress.duplicates += 1;
          else if (kept.size < request.count) kept.set(key, { ...song, song_id: songIdFor(key) });
        }
        progress.batchesDone += 1;
        progress.songs = kept.size;
        report();
      }
    };
    // The first failure is the cause; it stops the other workers, whose aborted requests fail after it.
    let failure: { error: unknown } | undefined;
    await Promise.all(
      Array.from({ length: Math.max(1, options.concurrency) }, () =>
        worker().catch((error: unknown) => {
          failure ??= { error };
          stop.abort();
        }),
      ),
    );
    if (failure) throw failure.error;
    return [...kept.values()];
  }

  /** One batch, asked again (up to attemptsPerBatch) while the answer is malformed. */
  private async askBatch(
    client: OpenAI,
    index: number,
    size: number,
    regions: readonly string[],
    signal: AbortSignal,
    onRefused: (reason: string) => void,
  ): Promise<GeneratedSong[]> {
    const schema = songBatchSchema({ regions, maxSongs: size, currentYear: this.options.currentYear });
    const attempts = this.options.attemptsPerBatch;
    for (let attempt = 1; ; attempt++) {
      let completion: ChatCompletion;
      try {
        completion = await client.chat.completions.create(
          {
            model: this.model,
            messages: songBatchMessages(index, size, regions),
            response_format: zodResponseFormat(schema, 'song_batch'),
          },
          { signal },
        );
      } catch (error) {
        throw new CatalogGenerationError(`Batch ${index + 1}: ${describeApiError(error, this.options)}`, {
          cause: error,
        });
      }
      try {
        return readAnswer(completion, schema);
      } catch (error) {
        if (!(error instanceof MalformedAnswerError)) throw error;
        onRefused(error.message);
        if (attempt >= attempts) {
          throw new CatalogGenerationError(
            `Batch ${index + 1}: the model answered malformed ${attempts} times, the last time: ${error.message}`,
          );
        }
      }
    }
  }
}

/** The batch's songs, or a MalformedAnswerError saying what is wrong with the answer. */
function readAnswer(completion: ChatCompletion, schema: ReturnType<typeof songBatchSchema>): GeneratedSong[] {
  const choice = completion.choices?.[0];
  if (!choice) throw new MalformedAnswerError('the answer has no choices');
  const { message } = choice;
  if (message?.refusal) throw new MalformedAnswerError(`the model refused: ${message.refusal}`);
  if (choice.finish_reason === 'length') {
    throw new MalformedAnswerError(
      'the answer was cut off at the token limit (a smaller --batch-size helps)',
    );
  }
  const content = message?.content;
  if (!content) throw new MalformedAnswerError('the answer has no content');
  let document: unknown;
  try {
    document = JSON.parse(content);
  } catch {
    throw new MalformedAnswerError(`the answer is not JSON: ${JSON.stringify(content.slice(0, 60))}`);
  }
  const parsed = schema.safeParse(document);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    const more = parsed.error.issues.length > 3 ? ` (and ${parsed.error.issues.length - 3} more)` : '';
    throw new MalformedAnswerError(`the answer does not follow the schema: ${issues.join('; ')}${more}`);
  }
  return parsed.data.songs;
}

function toSong(generated: GeneratedSong, regions: readonly string[]): Omit<Song, 'song_id'> {
  const homes = new Set(generated.home_regions);
  return {
    title: generated.title.trim(),
    artist: generated.artist.trim(),
    genre: generated.genre,
    language: generated.language,
    release_year: generated.release_year,
    duration_ms: generated.duration_seconds * 1000,
    home_regions: regions.filter((region) => homes.has(region)),
    popularity: generated.popularity,
  };
}

function describeApiError(error: unknown, options: OpenAiSongSourceOptions): string {
  const server = options.baseUrl ?? 'the OpenAI API';
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return `${server} did not answer within ${options.timeoutMs} ms (OPENAI_TIMEOUT_MS), ${options.maxRetries} retries included`;
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return `could not reach ${server}: ${error.message}${error.cause ? ` (${(error.cause as Error).message})` : ''}`;
  }
  if (error instanceof OpenAI.APIError) {
    const hint =
      error.status === 401
        ? ' (check OPENAI_API_KEY)'
        : error.status === 404
          ? ` (is the model "${options.model}" served there? OPENAI_MODEL, --model)`
          : error.status === 429 || (error.status ?? 0) >= 500
            ? ` (after ${options.maxRetries} retries; OPENAI_MAX_RETRIES)`
            : '';
    return `${server} answered ${error.status ?? 'an error'}: ${error.message}${hint}`;
  }
  return (error as Error).message ?? String(error);
}
