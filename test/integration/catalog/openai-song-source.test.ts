/**
 * The chat-model song source with the real `openai` client against an OpenAI-compatible server started here
 * (test/support/openai-server.ts): structured output asked with the schema, busy answers retried by the
 * client, malformed answers refused and asked again, songs deduplicated across batches.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  CatalogGenerationError,
  OpenAiSongSource,
  type OpenAiSongSourceOptions,
} from '../../../src/adapters/openai/openai-song-source.ts';
import { genres, songIdFor, songKey } from '../../../src/domain/song.ts';
import type { SongSourceProgress } from '../../../src/ports/song-source.ts';
import { type FakeOpenAi, type FakeOpenAiOptions, startFakeOpenAi } from '../../support/openai-server.ts';

const regions = ['us', 'br', 'jp'];
let fake: FakeOpenAi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function generate(
  count: number,
  server: FakeOpenAiOptions = {},
  options: Partial<OpenAiSongSourceOptions> = {},
) {
  fake = await startFakeOpenAi({ apiKey: 'test-key', ...server });
  const source = new OpenAiSongSource({
    apiKey: 'test-key',
    baseUrl: fake.url,
    model: 'test-model',
    maxRetries: 2,
    timeoutMs: 10_000,
    batchSize: 10,
    concurrency: 1,
    attemptsPerBatch: 3,
    currentYear: 2026,
    ...options,
  });
  const progress: SongSourceProgress[] = [];
  const songs = await source.songs({ count, regions, onProgress: (p) => progress.push(p) });
  return { songs, progress, requests: fake.requests, last: progress.at(-1) };
}

describe('OpenAiSongSource', () => {
  it('asks for strict structured output built from the schema, in batches, and keeps what the model answered', async () => {
    const { songs, requests } = await generate(25);
    expect(requests.map((request) => request.answered)).toEqual(['songs', 'songs', 'songs']);
    const [first] = requests;
    expect(first!.authorization).toBe('Bearer test-key');
    expect(first!.body.model).toBe('test-model');
    const format = first!.body.response_format;
    expect(format).toMatchObject({ type: 'json_schema', json_schema: { name: 'song_batch', strict: true } });
    const batch = format.json_schema.schema.properties.songs;
    const song = batch.items.properties;
    expect(song.genre.enum).toEqual([...genres]);
    expect(song.home_regions.items.enum).toEqual(regions);
    expect(batch.items.required).toEqual(Object.keys(song));
    // 25 songs in batches of 10: 10, 10, then the 5 still missing.
    expect(
      requests.map((request) => request.body.response_format.json_schema.schema.properties.songs.maxItems),
    ).toEqual([10, 10, 5]);

    expect(songs).toHaveLength(25);
    for (const found of songs) {
      expect(found.song_id).toBe(songIdFor(songKey(found.title, found.artist)));
      expect(genres).toContain(found.genre);
      expect(found.duration_ms! % 1000).toBe(0);
      expect(found.home_regions!.every((region) => regions.includes(region))).toBe(true);
      expect(found.popularity).toBeGreaterThanOrEqual(1);
    }
    // The fake numbers its songs 1…25: every one of them was kept, once.
    expect(songs.map((found) => found.title).sort()).toEqual(
      Array.from({ length: 25 }, (_, i) => `Fake title ${i + 1}`).sort(),
    );
  });

  it('waits as a 429 says (Retry-After) and retries it; retries a 500', async () => {
    const { songs, requests, last } = await generate(10, {
      faults: [
        { kind: 'status', status: 429, retryAfterSeconds: 1 },
        { kind: 'status', status: 500 },
      ],
    });
    expect(requests.map((request) => [request.answered, request.retryCount])).toEqual([
      [429, '0'],
      [500, '1'],
      ['songs', '2'],
    ]);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(songs).toHaveLength(10);
    expect(last).toMatchObject({ throttled: 2, refused: 0, songs: 10 });
  });

  it('refuses an answer that is not JSON, or not the schema, and asks for that batch again', async () => {
    const { songs, requests, progress } = await generate(10, {
      faults: [{ kind: 'not-json' }, { kind: 'off-schema' }],
    });
    expect(requests.map((request) => request.answered)).toEqual(['not-json', 'off-schema', 'songs']);
    const refusals = progress.filter((p) => p.lastRefusal).map((p) => p.lastRefusal);
    expect(refusals[0]).toMatch(/^the answer is not JSON: "Sure! Here are/);
    expect(refusals.at(-1)).toMatch(
      /^the answer does not follow the schema: songs\.0\.genre: .*; songs\.0\.release_year: /,
    );
    // Nothing of the refused answers is kept: only the third answer's songs.
    expect(songs.map((found) => found.genre)).not.toContain('polka');
    expect(songs).toHaveLength(10);
  });

  it('gives up, with the reason, when one batch is malformed every time', async () => {
    const attempt = generate(10, {
      faults: [{ kind: 'off-schema' }, { kind: 'not-json' }, { kind: 'not-json' }],
    });
    await expect(attempt).rejects.toThrow(CatalogGenerationError);
    await expect(attempt).rejects.toThrow(
      /Batch 1: the model answered malformed 3 times, the last time: the answer is not JSON/,
    );
  });

  it('keeps one of each song across batches (title and artist, normalized) and asks for more to make up', async () => {
    const { songs, last, requests } = await generate(30, { repeatsPerAnswer: 3 });
    expect(songs).toHaveLength(30);
    const keys = songs.map((found) => songKey(found.title, found.artist));
    expect(new Set(keys).size).toBe(30);
    // Every answer after the first repeats 3 earlier songs, written differently: more batches than 3.
    expect(last!.duplicates).toBe(3 * (requests.length - 1));
    expect(requests.length).toBeGreaterThan(3);
    // The last batch may bring more new songs than were missing: those are left out, not counted as duplicates.
    expect(fake!.songsServed()).toBeGreaterThanOrEqual(30 + last!.duplicates);
  });

  it('says what went wrong when the server refuses the key, or stays busy past the retries', async () => {
    await expect(generate(10, {}, { apiKey: 'wrong' })).rejects.toThrow(
      /answered 401: .*check OPENAI_API_KEY/,
    );
    await fake?.close();
    const busy = Array.from(
      { length: 3 },
      () => ({ kind: 'status', status: 429, retryAfterSeconds: 0 }) as const,
    );
    await expect(generate(10, { faults: busy })).rejects.toThrow(
      /answered 429: .*after 2 retries; OPENAI_MAX_RETRIES/,
    );
  });
});
