import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validatePlayEvent, validatePlayEventFully } from '../../../src/domain/play-event.ts';

const now = new Date('2026-11-20T12:00:00Z');
const context = { regions: ['us', 'gb', 'de'], now };

/** Strings near the edges of each rule: case, whitespace, control characters, lengths, odd timestamps. */
const identifierLike = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z0-9-]{1,12}$/), weight: 12 },
  fc.constantFrom(
    '',
    ' a',
    'a ',
    '\ta',
    'a\u0000b',
    'é',
    'A'.repeat(64),
    'A'.repeat(65),
    'b'.repeat(129),
    'b'.repeat(128),
  ),
  fc.string({ maxLength: 6 }),
);
const timestampLike = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .integer({ min: now.getTime() - 31 * 86_400_000, max: now.getTime() + 600_000 })
      .chain((ms) =>
        fc.constantFrom(
          new Date(ms).toISOString(),
          new Date(ms).toISOString(),
          new Date(ms).toISOString(),
          `${new Date(ms).toISOString().slice(0, 19)}Z`,
          `${new Date(ms).toISOString().slice(0, 19)}+00:00`,
          `${new Date(ms).toISOString().slice(0, 19)}.000+0000`,
          new Date(ms).toISOString().replace('T', ' '),
          new Date(ms).toISOString().toLowerCase(),
        ),
      ),
  },
  fc.constantFrom(
    '2026-02-30T10:00:00Z',
    '2026-11-20T11:30:00Z',
    '2026-11-20T11:30:00.1Z',
    '2026-11-20',
    'x',
  ),
);
const eventLike = fc.record(
  {
    event_id: fc.oneof(
      { arbitrary: fc.uuid(), weight: 8 },
      fc.uuid().map((id) => id.toUpperCase()),
      fc.constantFrom('', 'nope', 7),
    ),
    user_id: identifierLike,
    song_id: identifierLike,
    region: fc.constantFrom('us', 'gb', 'de', 'us', 'gb', 'de', 'fr', '', 'US'),
    played_at: timestampLike,
    ms_played: fc.oneof(
      { arbitrary: fc.integer({ min: -2, max: 86_400_001 }), weight: 8 },
      fc.constantFrom(1.5, -0, Number.NaN, '100', 86_400_000),
    ),
    device: fc.oneof(identifierLike, fc.constant(undefined)),
    session_id: fc.oneof(identifierLike, fc.constant(undefined)),
    extra: fc.constant('dropped'),
  },
  { requiredKeys: ['event_id', 'user_id', 'song_id', 'region', 'played_at'] },
);

describe('validatePlayEvent fast path', () => {
  it('answers exactly what the full zod validation answers, for generated events valid and not', () => {
    let fast = 0;
    fc.assert(
      fc.property(eventLike, (input) => {
        const answer = validatePlayEvent(input, context);
        const full = validatePlayEventFully(input, context);
        expect(answer).toStrictEqual(full);
        // The published bytes, key order included.
        if (answer.ok && full.ok) {
          expect(JSON.stringify(answer.value)).toBe(JSON.stringify(full.value));
          fast += 1;
        }
      }),
      { numRuns: 5_000, seed: 13 },
    );
    // The generator reaches valid events often enough for the comparison to mean something.
    expect(fast).toBeGreaterThan(100);
  });

  it('accepts the common form and normalises a timestamp without milliseconds', () => {
    const event = {
      event_id: '3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3c',
      user_id: 'user-0042',
      song_id: 'song-000017',
      region: 'us',
      played_at: '2026-11-20T11:30:00Z',
      ms_played: 184_000,
    };
    expect(validatePlayEvent(event, context)).toStrictEqual({
      ok: true,
      value: { ...event, played_at: '2026-11-20T11:30:00.000Z' },
    });
  });
});
