import { describe, expect, it } from 'vitest';
import { type ActiveApiKey, authorizerContextOf } from '../../../src/domain/api-keys.ts';
import type { HttpRequest } from '../../../src/domain/http/http.ts';
import { type OutgoingMessage, TransportUnavailableError } from '../../../src/ports/transport.ts';
import { ingestPlays } from '../../../src/use-cases/ingest-plays.ts';
import { countingLimiter } from './counting-limiter.ts';

const now = new Date('2026-11-20T10:50:00Z');
const regions = ['us', 'gb', 'de'];

/** A publisher that keeps what it is given, or fails the way it is told to. */
function fakeTransport(fail?: Error) {
  const published: { topic: string; messages: readonly OutgoingMessage[] }[] = [];
  return {
    published,
    publish: async (topic: string, messages: readonly OutgoingMessage[]) => {
      if (fail) throw fail;
      published.push({ topic, messages });
    },
  };
}

const caller: ActiveApiKey = { id: '7', name: 'tests', rateLimit: { requests: 1000, windowSeconds: 60 } };

/**
 * A POST of `body`, declared `contentType` (null: no Content-Type header), from a caller the authorizer
 * allowed (its context; null: from no one).
 */
const post = (
  body: string | undefined,
  contentType: string | null = 'application/json',
  authorizer: ActiveApiKey | null = caller,
): HttpRequest => ({
  method: 'POST',
  path: '/v1/plays',
  query: {},
  headers: contentType === null ? {} : { 'content-type': contentType },
  body,
  authorizer: authorizer ? authorizerContextOf(authorizer) : undefined,
});
const postJson = (value: unknown) => post(JSON.stringify(value));

function ingest(request: HttpRequest, transport = fakeTransport(), rateLimiter = countingLimiter(['7'])) {
  return ingestPlays(request, {
    transport,
    topic: 'song-plays',
    regions,
    clock: () => now,
    rateLimiter,
    counts: { addIngest: async () => {} },
    countsLost: (error) => {
      throw error;
    },
  });
}

const eventId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const play = (n: number, extra: Record<string, unknown> = {}) => ({
  event_id: eventId(n),
  user_id: `user-${n % 3}`,
  song_id: `song-${n}`,
  region: 'us',
  played_at: '2026-11-20T10:40:00Z',
  ms_played: 60_000,
  ...extra,
});
const bodyOf = (result: { body: unknown }) => result.body as Record<string, unknown>;

describe('ingestPlays', () => {
  it('publishes nothing for a caller it does not admit, and refuses before reading the body', async () => {
    const transport = fakeTransport();
    const oncePerMinute: ActiveApiKey = {
      id: '8',
      name: 'slow',
      rateLimit: { requests: 1, windowSeconds: 60 },
    };
    const limiter = countingLimiter(['8']);
    expect(
      (await ingest(post('not even JSON', 'application/json', null), transport, limiter)).statusCode,
    ).toBe(401);
    expect(
      (await ingest(post(JSON.stringify(play(1)), 'application/json', oncePerMinute), transport, limiter))
        .statusCode,
    ).toBe(202);
    expect(
      (await ingest(post(JSON.stringify(play(2)), 'application/json', oncePerMinute), transport, limiter))
        .statusCode,
    ).toBe(429);
    expect(
      (await ingest(post('not even JSON', 'application/json', oncePerMinute), transport, limiter)).statusCode,
    ).toBe(429);
    expect(transport.published.map(({ messages }) => JSON.parse(messages[0]!.value).event_id)).toEqual([
      eventId(1),
    ]);
  });

  it('accepts a single event and publishes it, normalised, keyed by user_id', async () => {
    const transport = fakeTransport();
    const result = await ingest(postJson(play(1, { played_at: '2026-11-20T11:40:00+01:00' })), transport);
    expect(result).toEqual({ statusCode: 202, body: { accepted: 1, rejected: [] } });
    expect(transport.published).toHaveLength(1);
    expect(transport.published[0]!.topic).toBe('song-plays');
    const [message] = transport.published[0]!.messages;
    expect(message!.key).toBe('user-1');
    expect(JSON.parse(message!.value)).toEqual(play(1, { played_at: '2026-11-20T10:40:00.000Z' }));
  });

  it('accepts a batch, publishing all of it in one call, in order', async () => {
    const transport = fakeTransport();
    const events = [play(1), play(2), play(3)];
    const result = await ingest(postJson({ events }), transport);
    expect(result).toEqual({ statusCode: 202, body: { accepted: 3, rejected: [] } });
    expect(transport.published).toHaveLength(1);
    expect(transport.published[0]!.messages.map((message) => message.key)).toEqual([
      'user-1',
      'user-2',
      'user-0',
    ]);
    expect(transport.published[0]!.messages.map((message) => JSON.parse(message.value).event_id)).toEqual([
      eventId(1),
      eventId(2),
      eventId(3),
    ]);
  });

  it('answers 413 over 1 MiB, counting bytes rather than characters, and takes a body of exactly 1 MiB', async () => {
    const transport = fakeTransport();
    const json = JSON.stringify({ events: [play(1)] });
    const exactly = json + ' '.repeat(1024 * 1024 - json.length);
    expect((await ingest(post(exactly), transport)).statusCode).toBe(202);

    const over = await ingest(post(`${exactly} `), transport);
    expect(over.statusCode).toBe(413);
    expect(bodyOf(over).message).toBe('body is 1048577 bytes; the limit is 1048576 bytes');

    // 400 000 characters of "€" are 1 200 000 bytes.
    const wide = await ingest(postJson(play(1, { device: '€'.repeat(400_000) })), transport);
    expect(wide.statusCode).toBe(413);
    expect(transport.published).toHaveLength(1);
  });

  it.each([
    ['application/json; charset=utf-8'],
    ['Application/JSON;Charset="UTF-8"'],
    ['application/json ; charset=UTF-8'],
  ])('takes the JSON media type %s', async (contentType) => {
    expect((await ingest(post(JSON.stringify(play(1)), contentType))).statusCode).toBe(202);
  });

  it.each([
    ['text/plain', 'text/plain;charset=UTF-8', /Content-Type "text\/plain;charset=UTF-8" is not supported/],
    ['a form', 'application/x-www-form-urlencoded', /is not supported; send Content-Type: application\/json/],
    ['multipart', 'multipart/form-data; boundary=x', /is not supported/],
    ['a JSON-like type', 'application/json-patch+json', /is not supported/],
    ['a malformed header', 'application/json; charset', /is not supported/],
    ['two types', 'application/json, text/plain', /is not supported/],
    ['another charset', 'application/json; charset=iso-8859-1', /must be UTF-8/],
    ['no Content-Type', null, /has no Content-Type/],
  ])('answers 415 to %s and publishes nothing', async (_, contentType, message) => {
    const transport = fakeTransport();
    const result = await ingest(post(JSON.stringify(play(1)), contentType), transport);
    expect(result.statusCode).toBe(415);
    expect(bodyOf(result).message).toMatch(message);
    expect(transport.published).toEqual([]);
  });

  it('answers 400 to a body that is not JSON, or empty', async () => {
    for (const body of ['{"events": [', 'plays!', '', undefined]) {
      const result = await ingest(post(body));
      expect(result.statusCode).toBe(400);
      expect(bodyOf(result).message).toMatch(/^body is not valid JSON/);
    }
  });

  it('answers 400 to JSON that is neither an event nor {"events": [...]}', async () => {
    for (const body of [[play(1)], 'a string', 42, null]) {
      const result = await ingest(postJson(body));
      expect(result).toEqual({
        statusCode: 400,
        body: { message: 'body must be a play event object or {"events": [...]}' },
      });
    }
  });

  it('answers 400 when events is not an array, is empty, or holds more than 500', async () => {
    expect(bodyOf(await ingest(postJson({ events: play(1) }))).message).toBe(
      '"events" must be an array of play events',
    );
    expect(bodyOf(await ingest(postJson({ events: [] }))).message).toBe(
      '"events" must hold at least 1 event',
    );
    const many = Array.from({ length: 501 }, (_, index) => play(index));
    const tooMany = await ingest(postJson({ events: many }));
    expect(tooMany.statusCode).toBe(400);
    expect(bodyOf(tooMany).message).toBe('"events" holds 501 events; the limit is 500 per request');
    // 500 is fine.
    const transport = fakeTransport();
    expect(await ingest(postJson({ events: many.slice(0, 500) }), transport)).toEqual({
      statusCode: 202,
      body: { accepted: 500, rejected: [] },
    });
  });

  it('answers 400 with reasons per index when no event is valid, and publishes nothing', async () => {
    const transport = fakeTransport();
    const result = await ingest(
      postJson({ events: [play(1, { region: 'atlantis' }), { ...play(2), ms_played: -1, event_id: 'x' }] }),
      transport,
    );
    expect(result).toEqual({
      statusCode: 400,
      body: {
        message: 'no valid events in the request',
        accepted: 0,
        rejected: [
          {
            index: 0,
            errors: [{ field: 'region', message: 'unknown region "atlantis"; expected one of us, gb, de' }],
          },
          {
            index: 1,
            errors: [
              { field: 'event_id', message: 'must be a UUID' },
              { field: 'ms_played', message: 'must be ≥ 0' },
            ],
          },
        ],
      },
    });
    expect(transport.published).toEqual([]);
  });

  it('accepts the valid events of a mixed batch (202) and reports the rejected indices', async () => {
    const transport = fakeTransport();
    const events = [
      play(1),
      play(2, { played_at: '2026-11-20T10:55:00.001Z' }),
      play(3),
      'not an event',
      play(4, { song_id: undefined }),
      play(5),
    ];
    const result = await ingest(postJson({ events }), transport);
    expect(result.statusCode).toBe(202);
    expect(bodyOf(result).accepted).toBe(3);
    expect(bodyOf(result).rejected).toEqual([
      { index: 1, errors: [{ field: 'played_at', message: 'is more than 5 minutes in the future' }] },
      { index: 3, errors: [{ field: '(event)', message: 'must be a JSON object' }] },
      { index: 4, errors: [{ field: 'song_id', message: 'is required' }] },
    ]);
    const messages = transport.published.flatMap((call) => call.messages);
    expect(messages.map((message) => [message.key, JSON.parse(message.value).event_id])).toEqual([
      ['user-1', eventId(1)],
      ['user-0', eventId(3)],
      ['user-2', eventId(5)],
    ]);
  });

  it('answers 503 with retry-after when the transport is unavailable, and reports nothing accepted', async () => {
    const result = await ingest(
      postJson({ events: [play(1), play(2)] }),
      fakeTransport(new TransportUnavailableError('broker not reachable', 17)),
    );
    expect(result.statusCode).toBe(503);
    expect(result.headers).toEqual({ 'retry-after': '17' });
    expect(bodyOf(result).message).toMatch(/broker not reachable/);
    expect(bodyOf(result)).not.toHaveProperty('accepted');

    const other = await ingest(postJson(play(1)), fakeTransport(new Error('disk full')));
    expect(other.statusCode).toBe(503);
    expect(other.headers).toEqual({ 'retry-after': '5' });
  });
});
