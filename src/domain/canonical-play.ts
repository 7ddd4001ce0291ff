import { isoInstantAt } from './iso-instant.ts';
import type { PlayValues } from './play-columns.ts';
import { MAX_AGE_MS, MAX_FUTURE_SKEW_MS, MAX_MS_PLAYED } from './play-event.ts';
import type { RegionList } from './regions.ts';

/**
 * Reads a record's value when it is exactly what ingest publishes, `JSON.stringify` of a validated play:
 *
 *   {"event_id":"…","user_id":"…","song_id":"…","region":"…","played_at":"…","ms_played":N[,"device":"…"][,"session_id":"…"]}
 *
 * with every value already in its stored form (what validatePlayEvent's fast path accepts: a lower-case UUID,
 * identifiers of printable ASCII without spaces or escapes, played_at as toISOString writes it, a known region,
 * an integer ms_played in range, played_at within the accepted lateness). Fills `into` and answers true; for
 * anything else, valid or not, it answers false and `into` is to be ignored: the caller then reads the record
 * with JSON.parse and validatePlayEvent, which answer the same for every text this accepts
 * (test/unit/domain/canonical-play.test.ts). One pass over the characters, no object per play: JSON.parse and
 * the validation of its object were a quarter of the lake-writer's time (docs/benchmarks.md).
 */
export function readCanonicalPlay(
  text: string,
  regions: RegionList,
  /** Validation's clock (epoch ms): the record's transport timestamp. A number, not a Date made per record. */
  now: number,
  into: PlayValues,
): boolean {
  let at = expect(text, 0, '{"event_id":"');
  if (at < 0 || !isCanonicalUuid(text, at)) return false;
  into.event_id = text.slice(at, at + 36);
  at = expect(text, at + 36, '","user_id":"');
  const userEnd = identifierEnd(text, at, 128);
  if (userEnd < 0) return false;
  into.user_id = text.slice(at, userEnd);
  at = expect(text, userEnd, '","song_id":"');
  const songEnd = identifierEnd(text, at, 64);
  if (songEnd < 0) return false;
  into.song_id = text.slice(at, songEnd);
  at = expect(text, songEnd, '","region":"');
  if (at < 0) return false;
  const region = knownRegionAt(text, at, regions);
  if (region === undefined) return false;
  into.region = region;
  at = expect(text, at + region.length, '","played_at":"');
  if (at < 0) return false;
  const playedAt = isoInstantAt(text, at, true);
  if (Number.isNaN(playedAt)) return false;
  const lateness = now - playedAt;
  if (lateness < -MAX_FUTURE_SKEW_MS || lateness > MAX_AGE_MS) return false;
  into.played_at_ms = playedAt;
  at = expect(text, at + 24, '","ms_played":');
  if (at < 0) return false;
  // A JSON integer: no sign, no leading zero, no fraction or exponent (those take the general path).
  let msPlayed = 0;
  let digits = 0;
  for (let code = text.charCodeAt(at); code >= 0x30 && code <= 0x39; code = text.charCodeAt(++at)) {
    if (++digits > 9 || (digits === 2 && msPlayed === 0)) return false;
    msPlayed = msPlayed * 10 + (code - 0x30);
  }
  if (digits === 0 || msPlayed > MAX_MS_PLAYED) return false;
  into.ms_played = msPlayed;
  into.device = undefined;
  into.session_id = undefined;
  if (text.startsWith(',"device":"', at)) {
    at += 11;
    const end = identifierEnd(text, at, 64);
    if (end < 0) return false;
    into.device = text.slice(at, end);
    at = end + 1;
  }
  if (text.startsWith(',"session_id":"', at)) {
    at += 15;
    const end = identifierEnd(text, at, 128);
    if (end < 0) return false;
    into.session_id = text.slice(at, end);
    at = end + 1;
  }
  return at === text.length - 1 && text.charCodeAt(at) === 0x7d; // }
}

/** The position after `literal` when `text` has it at `at`, else -1. */
function expect(text: string, at: number, literal: string): number {
  return at >= 0 && text.startsWith(literal, at) ? at + literal.length : -1;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Where the JSON string value that starts at `at` ends (its closing quote), when it is 1 to `max` characters of
 * printable ASCII without spaces (0x21–0x7e) and without escapes: a value with nothing to trim and no control
 * character, which validation keeps as it is. Else -1.
 */
function identifierEnd(text: string, at: number, max: number): number {
  if (at < 0) return -1;
  const limit = Math.min(text.length, at + max + 1);
  for (let i = at; i < limit; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) return i > at ? i : -1;
    if (code < 0x21 || code > 0x7e || code === BACKSLASH) return -1;
  }
  return -1;
}

/** The configured region whose quoted value starts at `at` (the list's own string), or undefined. */
function knownRegionAt(text: string, at: number, regions: readonly string[]): string | undefined {
  // The first character rules out most regions before a comparison of the whole.
  const first = text.charCodeAt(at);
  for (const region of literalRegions(regions)) {
    if (
      region.charCodeAt(0) === first &&
      text.startsWith(region, at) &&
      text.charCodeAt(at + region.length) === QUOTE
    ) {
      return region;
    }
  }
  return undefined;
}

const literalRegionLists = new WeakMap<readonly string[], readonly string[]>();

/**
 * The regions that JSON writes as they are (no quote, backslash or control character to escape), so that
 * finding one verbatim in the text is finding its value; any other is left to the general path.
 */
function literalRegions(regions: readonly string[]): readonly string[] {
  let literal = literalRegionLists.get(regions);
  if (literal === undefined) {
    literal = regions.filter((region) => region.length > 0 && !/["\\\p{Cc}]/u.test(region));
    literalRegionLists.set(regions, literal);
  }
  return literal;
}

/** A lower-case UUID of versions 1–8, RFC 9562 variant, at `at` (validation's CANONICAL_UUID). */
function isCanonicalUuid(text: string, at: number): boolean {
  if (text.length < at + 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = text.charCodeAt(at + i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 0x2d) return false;
    } else if (!((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66))) {
      return false;
    }
  }
  const version = text.charCodeAt(at + 14);
  const variant = text.charCodeAt(at + 19);
  return (
    version >= 0x31 &&
    version <= 0x38 &&
    (variant === 0x38 || variant === 0x39 || variant === 0x61 || variant === 0x62)
  );
}
