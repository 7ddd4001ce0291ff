import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantMs, readIsoInstant } from '../../../src/domain/iso-instant.ts';

/** What the parse-and-format round trip it replaces answered (play-event.ts before 2026-12-06). */
function roundTrip(text: string) {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  if (iso.length !== 24 || (text !== iso && text !== `${iso.slice(0, 19)}Z`)) return undefined;
  return { ms, iso };
}

/** Timestamps and near misses: every character position of the form altered one way or another. */
const timestampLike = fc.oneof(
  fc
    .integer({ min: Date.UTC(1999, 0, 1), max: Date.UTC(2101, 0, 1) })
    .map((ms) => new Date(ms).toISOString()),
  fc
    .integer({ min: Date.UTC(1999, 0, 1), max: Date.UTC(2101, 0, 1) })
    .map((ms) => `${new Date(ms).toISOString().slice(0, 19)}Z`),
  fc
    .tuple(
      fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
      fc.integer({ min: 0, max: 23 }),
      fc.constantFrom(...'0123456789:-.TZz +/a'),
      fc.boolean(),
    )
    .map(([ms, at, character, short]) => {
      const iso = new Date(ms).toISOString();
      const text = short ? `${iso.slice(0, 19)}Z` : iso;
      return `${text.slice(0, at)}${character}${text.slice(at + 1)}`;
    }),
  fc.constantFrom(
    '2026-02-29T10:00:00.000Z',
    '2028-02-29T10:00:00.000Z',
    '2026-04-31T10:00:00Z',
    '2026-13-01T10:00:00Z',
    '2026-00-10T10:00:00Z',
    '2026-11-20T24:00:00.000Z',
    '2026-11-20T23:60:00.000Z',
    '2026-11-20T23:59:60.000Z',
    '2026-11-20T23:59:59.999Z',
    '2026-11-20T10:00:00.000z',
    '2026-11-20t10:00:00.000Z',
    '2026-11-20T10:00:00+00:00',
    '+002026-11-20T10:00:00Z',
    '0000-01-01T00:00:00.000Z',
    '9999-12-31T23:59:59.999Z',
    '2026-11-20T1a:00:00.000Z',
    '2026-11-20T10:0a:00.000Z',
    '2026-11-20T10:00:0a.000Z',
    '2026-11-20T10:00:00.0a0Z',
    '2026-11-20T10:00:00.00aZ',
    '2026-11-20T10:00:00Z   ',
    '',
  ),
);

describe('readIsoInstant', () => {
  it("answers exactly what Date.parse and toISOString's round trip answered", () => {
    fc.assert(
      fc.property(timestampLike, (text) => {
        expect(readIsoInstant(text)).toEqual(roundTrip(text));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('instantMs', () => {
  it('is the instant Date.parse reads, whatever the form', () => {
    fc.assert(
      fc.property(timestampLike, (text) => {
        expect(instantMs(text)).toBe(Date.parse(text));
      }),
      { numRuns: 20_000 },
    );
  });
});
