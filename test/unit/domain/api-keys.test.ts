import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  apiKeyNameProblem,
  bearerApiKey,
  formatRateLimit,
  generateApiKey,
  hashApiKey,
  parseRateLimit,
  rateWindowAt,
  secondsUntilWindowEnds,
} from '../../../src/domain/api-keys.ts';

describe('API keys', () => {
  it('hashes a key with SHA-256 (the FIPS 180-2 test vector)', () => {
    expect(hashApiKey('abc').toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('generates distinct 256-bit keys, with a short prefix of their own and their hash', () => {
    const keys = Array.from({ length: 50 }, generateApiKey);
    for (const { key, prefix, hash } of keys) {
      expect(key).toMatch(/^tsk_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(key.slice(4), 'base64url')).toHaveLength(32);
      expect(key.startsWith(prefix)).toBe(true);
      expect(prefix).toHaveLength(12);
      expect(hash.equals(createHash('sha256').update(key).digest())).toBe(true);
    }
    expect(new Set(keys.map(({ key }) => key)).size).toBe(keys.length);
  });

  it('reads the key of a Bearer header, and nothing else', () => {
    const { key } = generateApiKey();
    expect(bearerApiKey(`Bearer ${key}`)).toBe(key);
    expect(bearerApiKey(`bearer   ${key} `)).toBe(key);
    for (const header of [
      undefined,
      '',
      key,
      `Basic ${key}`,
      `Bearer ${key}x`,
      `Bearer ${key} extra`,
      'Bearer tsk_short',
    ]) {
      expect(bearerApiKey(header), String(header)).toBeUndefined();
    }
  });

  it('accepts names that start with a letter, never all digits (ids)', () => {
    expect(apiKeyNameProblem('simulator')).toBeUndefined();
    expect(apiKeyNameProblem('ci.eu-west_1')).toBeUndefined();
    for (const name of ['', '42', '-x', 'a b', 'x'.repeat(64), 'é'])
      expect(apiKeyNameProblem(name)).toBeDefined();
  });
});

describe('rate limits', () => {
  it('parse per second, minute or hour, and print back', () => {
    expect(parseRateLimit('600/min')).toEqual({ requests: 600, windowSeconds: 60 });
    expect(parseRateLimit(' 10 / s ')).toEqual({ requests: 10, windowSeconds: 1 });
    expect(parseRateLimit('5000/hour')).toEqual({ requests: 5000, windowSeconds: 3600 });
    expect(formatRateLimit({ requests: 5000, windowSeconds: 3600 })).toBe('5000/h');
    for (const text of ['600', '0/min', '-1/s', '1.5/s', '10/day', 'lots/min']) {
      expect(() => parseRateLimit(text), text).toThrow(/not a rate limit/);
    }
  });

  it('cut time into fixed windows aligned on the epoch', () => {
    const at = new Date('2026-11-20T10:41:07.250Z');
    expect(rateWindowAt(at, 1)).toEqual({
      start: new Date('2026-11-20T10:41:07Z'),
      end: new Date('2026-11-20T10:41:08Z'),
    });
    expect(rateWindowAt(at, 60)).toEqual({
      start: new Date('2026-11-20T10:41:00Z'),
      end: new Date('2026-11-20T10:42:00Z'),
    });
    expect(rateWindowAt(at, 3600).start).toEqual(new Date('2026-11-20T10:00:00Z'));
    // A window's first instant belongs to it, its end to the next one.
    expect(rateWindowAt(new Date('2026-11-20T10:42:00Z'), 60).start).toEqual(
      new Date('2026-11-20T10:42:00Z'),
    );
  });

  it('say how many whole seconds remain in a window, at least one', () => {
    const start = new Date('2026-11-20T10:41:00Z');
    expect(secondsUntilWindowEnds(start, 60, new Date('2026-11-20T10:41:07.250Z'))).toBe(53);
    expect(secondsUntilWindowEnds(start, 60, new Date('2026-11-20T10:41:59.999Z'))).toBe(1);
    expect(secondsUntilWindowEnds(start, 60, new Date('2026-11-20T10:41:00Z'))).toBe(60);
    // A window another instance began (a clock ahead of ours) still counts from its own end.
    expect(
      secondsUntilWindowEnds(new Date('2026-11-20T10:42:00Z'), 60, new Date('2026-11-20T10:41:59.900Z')),
    ).toBe(61);
  });
});
