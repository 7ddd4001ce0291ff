/**
 * Reading a timestamp that is already in `toISOString`'s form (`YYYY-MM-DDTHH:mm:ss.sssZ`, or without the
 * milliseconds) without `Date.parse` and `toISOString` per event: the round trip cost about half of
 * ingest's validation of a play (docs/benchmarks.md, "Ingest, second pass"). The hour is checked by that round
 * trip once per distinct hour (a few per request), minutes to milliseconds by their digits.
 */

/** `YYYY-MM-DDTHH`. */
const HOUR_PREFIX = 13;

/** Start of an hour prefix (epoch ms), or NaN when toISOString would not write it so; the last few cached. */
const hourStarts = new Map<string, number>();

function hourStart(prefix: string): number {
  let start = hourStarts.get(prefix);
  if (start === undefined) {
    const parsed = Date.parse(`${prefix}:00:00.000Z`);
    start = !Number.isNaN(parsed) && new Date(parsed).toISOString().startsWith(prefix) ? parsed : Number.NaN;
    if (hourStarts.size >= 64) hourStarts.clear();
    hourStarts.set(prefix, start);
  }
  return start;
}

/** The value of two decimal digits at `at`, or -1. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const units = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -1;
}

/**
 * The last few hour prefixes met and their starts, newest first: the plays of a batch share a few hours, so most
 * calls compare in place instead of cutting the prefix out and looking it up.
 */
const recentPrefixes: string[] = [];
const recentStarts: number[] = [];
const RECENT = 4;

function hourStartAt(text: string, at: number): number {
  const hourUnits = text.charCodeAt(at + 12);
  for (let i = 0; i < recentPrefixes.length; i++) {
    // The hour's last digit tells most recent prefixes apart before a comparison of the whole.
    const prefix = recentPrefixes[i]!;
    if (prefix.charCodeAt(12) === hourUnits && text.startsWith(prefix, at)) return recentStarts[i]!;
  }
  const prefix = text.slice(at, at + HOUR_PREFIX);
  const start = hourStart(prefix);
  recentPrefixes.unshift(prefix);
  recentStarts.unshift(start);
  if (recentPrefixes.length > RECENT) {
    recentPrefixes.pop();
    recentStarts.pop();
  }
  return start;
}

/**
 * The instant (epoch ms) of the timestamp at `at` in `text` when it is exactly in `toISOString`'s form (with its
 * `.sss` or, `withMillis` false, without it), NaN otherwise. Reads in place, so that a caller scanning a larger
 * text (a record's JSON) need not cut the timestamp out of it.
 */
export function isoInstantAt(text: string, at: number, withMillis: boolean): number {
  if (text.length < at + (withMillis ? 24 : 20)) return Number.NaN;
  const start = hourStartAt(text, at);
  if (Number.isNaN(start)) return Number.NaN;
  const minutes = twoDigits(text, at + 14);
  const seconds = twoDigits(text, at + 17);
  if (
    text.charCodeAt(at + 13) !== COLON ||
    text.charCodeAt(at + 16) !== COLON ||
    minutes < 0 ||
    minutes > 59 ||
    seconds < 0 ||
    seconds > 59
  ) {
    return Number.NaN;
  }
  let millis = 0;
  if (withMillis) {
    const hundreds = text.charCodeAt(at + 20) - 48;
    const rest = twoDigits(text, at + 21);
    if (text.charCodeAt(at + 19) !== DOT || text.charCodeAt(at + 23) !== ZULU) return Number.NaN;
    if (hundreds < 0 || hundreds > 9 || rest < 0) return Number.NaN;
    millis = hundreds * 100 + rest;
  } else if (text.charCodeAt(at + 19) !== ZULU) {
    return Number.NaN;
  }
  return start + minutes * 60_000 + seconds * 1_000 + millis;
}

const COLON = 0x3a;
const DOT = 0x2e;
const ZULU = 0x5a;

/**
 * The instant of `text` and its `toISOString` form, when `text` is exactly that form or that form without
 * its `.sss`; undefined for anything else (which the caller then reads the slow way).
 */
export function readIsoInstant(text: string): { readonly ms: number; readonly iso: string } | undefined {
  const withMillis = text.length === 24;
  if (!withMillis && text.length !== 20) return undefined;
  const ms = isoInstantAt(text, 0, withMillis);
  if (Number.isNaN(ms)) return undefined;
  return { ms, iso: withMillis ? text : `${text.slice(0, 19)}.000Z` };
}

/** The instant (epoch ms) of a timestamp: cheaply when it is in `toISOString`'s form, by `Date.parse` otherwise. */
export const instantMs = (text: string): number => readIsoInstant(text)?.ms ?? Date.parse(text);
