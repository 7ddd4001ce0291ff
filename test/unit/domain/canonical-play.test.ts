import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCanonicalPlay } from '../../../src/domain/canonical-play.ts';
import { emptyPlayValues } from '../../../src/domain/play-columns.ts';
import { validatePlayEvent } from '../../../src/domain/play-event.ts';

const now = new Date('2026-11-20T12:00:00Z');
const context = { regions: ['us', 'gb', 'de', 'a"b', 'c\\d'], now };

/** What the general path reads from a record's text: JSON.parse, then validatePlayEvent; undefined: not a play. */
function generalPath(text: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const verdict = validatePlayEvent(parsed, context);
  if (!verdict.ok) return undefined;
  const { played_at, ...rest } = verdict.value;
  return { device: undefined, session_id: undefined, ...rest, played_at_ms: Date.parse(played_at) };
}

function fastPath(text: string): Record<string, unknown> | undefined {
  const into = emptyPlayValues();
  return readCanonicalPlay(text, context.regions, now.getTime(), into) ? { ...into } : undefined;
}

const identifierLike = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z0-9-]{1,12}$/), weight: 12 },
  fc.constantFrom(
    '',
    ' a',
    'a ',
    'a"b',
    'a\\b',
    'é',
    'a\u0000b',
    'A'.repeat(64),
    'A'.repeat(65),
    'b'.repeat(129),
  ),
  fc.string({ maxLength: 6 }),
);
const instant = fc.integer({ min: now.getTime() - 31 * 86_400_000, max: now.getTime() + 600_000 });
/** Plays as ingest publishes them (the keys in validation's order), with values valid and not. */
const publishedLike = fc
  .record(
    {
      event_id: fc.oneof(
        { arbitrary: fc.uuid(), weight: 8 },
        fc.uuid().map((id) => id.toUpperCase()),
        fc.constantFrom('', 'nope', 7),
      ),
      user_id: identifierLike,
      song_id: identifierLike,
      region: fc.constantFrom('us', 'gb', 'de', 'fr', '', 'US', 'a"b', 'c\\d'),
      played_at: fc.oneof(
        { arbitrary: instant.map((ms) => new Date(ms).toISOString()), weight: 8 },
        instant.map((ms) => `${new Date(ms).toISOString().slice(0, 19)}Z`),
        fc.constantFrom('2026-02-30T10:00:00.000Z', '2026-11-20T11:60:00.000Z', 'x'),
      ),
      ms_played: fc.oneof(
        { arbitrary: fc.integer({ min: -2, max: 86_400_001 }), weight: 8 },
        fc.constantFrom(0, 1.5, 86_400_000, 1e21, '100'),
      ),
      device: fc.oneof(identifierLike, fc.constant(undefined)),
      session_id: fc.oneof(identifierLike, fc.constant(undefined)),
    },
    { requiredKeys: ['event_id', 'user_id', 'song_id', 'region', 'played_at'] },
  )
  .map((play) => JSON.stringify(play));
/** Published texts altered one character at a time: a character replaced, inserted or removed. */
const alteredLike = fc
  .tuple(publishedLike, fc.nat(), fc.constantFrom(...' "\\{}:,.-0123456789aeZT\u00e9\n'), fc.nat(2))
  .map(([text, at, character, how]) => {
    const i = at % (text.length + 1);
    if (how === 0) return `${text.slice(0, i)}${character}${text.slice(i + 1)}`;
    if (how === 1) return `${text.slice(0, i)}${character}${text.slice(i)}`;
    return `${text.slice(0, i)}${text.slice(i + 1)}`;
  });
const edgeTexts = fc.constantFrom(
  '',
  '{}',
  '{"event_id":"3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3c","user_id":"u","song_id":"s","region":"us","played_at":"2026-11-20T11:00:00.000Z","ms_played":012}',
  '{"event_id":"3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3c","user_id":"u","song_id":"s","region":"us","played_at":"2026-11-20T11:00:00.000Z","ms_played":0}',
  '{"event_id":"3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3c","user_id":"u","song_id":"s","region":"us","played_at":"2026-11-20T11:00:00.000Z","ms_played":30000.0}',
  '{"event_id":"3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3c","user_id":"u","song_id":"s","region":"us","played_at":"2026-11-20T11:00:00.000Z","ms_played":3e4}',
  '{"event_id":"3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3c","user_id":"u","song_id":"s","region":"us","played_at":"2026-11-20T11:00:00.000Z","ms_played":1,"ms_played":2}',
  '{"event_id":"3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3c","user_id":"u","song_id":"s","region":"us","played_at":"2026-11-20T11:00:00.000Z","ms_played":1,"session_id":"x","device":"y"}',
  '{"event_id":"3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3c","user_id":"u","song_id":"s","region":"us","played_at":"2026-11-20T11:00:00.000Z","ms_played":1} ',
  '{"event_id":"3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3c","user_id":"u\\u0041","song_id":"s","region":"us","played_at":"2026-11-20T11:00:00.000Z","ms_played":1}',
  '{"event_id":"3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3c","user_id":"u","song_id":"s","region":"us","played_at":"2026-11-20T11:00:00.000Z","ms_played":1,"device":"d","extra":1}',
);

describe('readCanonicalPlay', () => {
  it('reads exactly what JSON.parse and validatePlayEvent read, for every text it takes; declines the rest', () => {
    let taken = 0;
    fc.assert(
      fc.property(fc.oneof(publishedLike, alteredLike, edgeTexts), (text) => {
        const fast = fastPath(text);
        if (fast === undefined) return;
        taken += 1;
        expect(fast).toStrictEqual(generalPath(text));
      }),
      { numRuns: 20_000, seed: 13 },
    );
    // The generators reach canonical plays often enough for the comparison to mean something.
    expect(taken).toBeGreaterThan(1_000);
  });

  it('takes every play as ingest publishes it (JSON.stringify of the validated play) with plain ASCII values', () => {
    let published = 0;
    fc.assert(
      fc.property(publishedLike, (text) => {
        let verdict: ReturnType<typeof validatePlayEvent>;
        try {
          verdict = validatePlayEvent(JSON.parse(text), context);
        } catch {
          return;
        }
        if (!verdict.ok || JSON.stringify(verdict.value) !== text) return;
        const { user_id, song_id, region, device, session_id } = verdict.value;
        // Printable ASCII that JSON writes as it is (no quote or backslash to escape); the rest is the general path's.
        const plain = (value: string | undefined) =>
          value === undefined || (/^[\x21-\x7e]+$/.test(value) && !/["\\]/.test(value));
        if (![user_id, song_id, device, session_id].every(plain) || /["\\]/.test(region)) return;
        published += 1;
        expect(fastPath(text)).toStrictEqual(generalPath(text));
      }),
      { numRuns: 5_000, seed: 7 },
    );
    expect(published).toBeGreaterThan(200);
  });

  it('reads a published play with and without its optional fields', () => {
    const play = {
      event_id: '3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3c',
      user_id: 'user-0042',
      song_id: 'song-000017',
      region: 'gb',
      played_at: '2026-11-20T11:30:00.250Z',
      ms_played: 184_000,
    };
    const { played_at: _, ...rest } = play;
    const values = { ...rest, played_at_ms: Date.UTC(2026, 10, 20, 11, 30, 0, 250) };
    expect(fastPath(JSON.stringify(play))).toStrictEqual({
      ...values,
      device: undefined,
      session_id: undefined,
    });
    expect(fastPath(JSON.stringify({ ...play, device: 'ios', session_id: 'sess-1' }))).toStrictEqual({
      ...values,
      device: 'ios',
      session_id: 'sess-1',
    });
    expect(fastPath(JSON.stringify({ ...play, session_id: 'sess-1' }))).toStrictEqual({
      ...values,
      device: undefined,
      session_id: 'sess-1',
    });
  });
});
