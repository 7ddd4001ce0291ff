import { describe, expect, it } from 'vitest';
import { type PlayEvent, validatePlayEvent } from '../../../src/domain/play-event.ts';

const now = new Date('2026-11-20T12:00:00Z');
const context = { regions: ['us', 'gb', 'de'], now };

const valid = {
  event_id: '3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3c',
  user_id: 'user-0042',
  song_id: 'song-000017',
  region: 'us',
  played_at: '2026-11-20T11:30:00Z',
  ms_played: 184_000,
};

const without = (field: keyof typeof valid) => {
  const { [field]: _dropped, ...rest } = valid;
  return rest;
};

/** The errors of an event that must be invalid. */
function errorsOf(input: unknown) {
  const result = validatePlayEvent(input, context);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be invalid`);
  return result.errors;
}

function validValue(input: unknown): PlayEvent {
  const result = validatePlayEvent(input, context);
  if (!result.ok) throw new Error(`expected a valid event, got ${JSON.stringify(result.errors)}`);
  return result.value;
}

describe('validatePlayEvent', () => {
  it('accepts a valid event and normalises played_at from an offset to UTC', () => {
    // 12:47:05.250 at +01:00 is 11:47:05.250 UTC.
    expect(validValue({ ...valid, played_at: '2026-11-20T12:47:05.250+01:00' })).toEqual({
      ...valid,
      played_at: '2026-11-20T11:47:05.250Z',
    });
    // A negative offset crosses the date line backwards: 2026-11-19T22:10-05:00 is 2026-11-20T03:10Z.
    expect(validValue({ ...valid, played_at: '2026-11-19T22:10:00-05:00' }).played_at).toBe(
      '2026-11-20T03:10:00.000Z',
    );
  });

  it('keeps the optional device and session_id, and does not require them', () => {
    expect(validValue({ ...valid, device: 'ios', session_id: 'sess-7f3a' })).toMatchObject({
      device: 'ios',
      session_id: 'sess-7f3a',
    });
    const bare = validValue(valid);
    expect('device' in bare).toBe(false);
    expect('session_id' in bare).toBe(false);
  });

  it('drops unknown extra fields', () => {
    const value = validValue({ ...valid, tracking: 'x', ms_listened: 3, nested: { a: 1 } });
    expect(Object.keys(value).sort()).toEqual([
      'event_id',
      'ms_played',
      'played_at',
      'region',
      'song_id',
      'user_id',
    ]);
  });

  it.each(['user_id', 'song_id', 'region', 'ms_played', 'event_id', 'played_at'] as const)(
    'says "%s is required" when it is missing',
    (field) => {
      expect(errorsOf(without(field))).toEqual([{ field, message: 'is required' }]);
    },
  );

  it('reports every missing field at once, each by name', () => {
    const fields = errorsOf({}).map((error) => error.field);
    expect(fields.sort()).toEqual(['event_id', 'ms_played', 'played_at', 'region', 'song_id', 'user_id']);
  });

  it('names the field of a value of the wrong type', () => {
    expect(errorsOf({ ...valid, ms_played: '184000' })).toEqual([
      { field: 'ms_played', message: 'must be a number' },
    ]);
    expect(errorsOf({ ...valid, ms_played: null })).toEqual([
      { field: 'ms_played', message: 'must be a number' },
    ]);
    const [userError, ...others] = errorsOf({ ...valid, user_id: 42 });
    expect(others).toEqual([]);
    expect(userError?.field).toBe('user_id');
    expect(userError?.message).toMatch(/expected string/);
    expect(errorsOf({ ...valid, event_id: 42 })).toEqual([{ field: 'event_id', message: 'must be a UUID' }]);
  });

  it('rejects something that is not an object as a whole', () => {
    for (const input of [null, [], 'play', 42]) {
      expect(errorsOf(input)).toEqual([{ field: '(event)', message: 'must be a JSON object' }]);
    }
  });

  it('rejects an unknown region and lists the valid ones', () => {
    expect(errorsOf({ ...valid, region: 'atlantis' })).toEqual([
      { field: 'region', message: 'unknown region "atlantis"; expected one of us, gb, de' },
    ]);
    // Region codes are exact: no case folding.
    expect(errorsOf({ ...valid, region: 'US' })[0]?.field).toBe('region');
  });

  it('rejects a negative, fractional or longer-than-a-day ms_played, and accepts both bounds', () => {
    expect(errorsOf({ ...valid, ms_played: -1 })).toEqual([{ field: 'ms_played', message: 'must be ≥ 0' }]);
    expect(errorsOf({ ...valid, ms_played: 30_000.5 })).toEqual([
      { field: 'ms_played', message: 'must be an integer' },
    ]);
    expect(errorsOf({ ...valid, ms_played: 86_400_001 })).toEqual([
      { field: 'ms_played', message: 'must be ≤ 86400000 (24 hours)' },
    ]);
    expect(validValue({ ...valid, ms_played: 0 }).ms_played).toBe(0);
    expect(validValue({ ...valid, ms_played: 86_400_000 }).ms_played).toBe(86_400_000);
  });

  it('rejects a malformed event_id', () => {
    for (const eventId of [
      'not-a-uuid',
      '3f6b2c1e8a4d4e2b9c7a1d5e8f0a2b3c',
      '3f6b2c1e-8a4d-4e2b-9c7a-1d5e8f0a2b3',
      '',
    ]) {
      expect(errorsOf({ ...valid, event_id: eventId })).toEqual([
        { field: 'event_id', message: 'must be a UUID' },
      ]);
    }
  });

  it('rejects a played_at that is not RFC 3339 with an offset', () => {
    for (const playedAt of [
      'yesterday',
      '2026-11-20 11:30:00Z',
      '2026-11-20T11:30:00',
      '2026-11-20',
      1795168800000,
    ]) {
      const errors = errorsOf({ ...valid, played_at: playedAt });
      expect(errors).toHaveLength(1);
      expect(errors[0]?.field).toBe('played_at');
      expect(errors[0]?.message).toMatch(/RFC 3339/);
    }
  });

  it('accepts a play up to exactly 5 minutes in the future, and rejects one a millisecond later', () => {
    expect(validValue({ ...valid, played_at: '2026-11-20T12:05:00Z' }).played_at).toBe(
      '2026-11-20T12:05:00.000Z',
    );
    // The same instant written with an offset is judged on the instant.
    expect(validValue({ ...valid, played_at: '2026-11-20T13:05:00+01:00' }).played_at).toBe(
      '2026-11-20T12:05:00.000Z',
    );
    expect(errorsOf({ ...valid, played_at: '2026-11-20T12:05:00.001Z' })).toEqual([
      { field: 'played_at', message: 'is more than 5 minutes in the future' },
    ]);
  });

  it('accepts a play exactly 30 days old, and rejects one a millisecond older', () => {
    expect(validValue({ ...valid, played_at: '2026-10-21T12:00:00Z' }).played_at).toBe(
      '2026-10-21T12:00:00.000Z',
    );
    expect(errorsOf({ ...valid, played_at: '2026-10-21T11:59:59.999Z' })).toEqual([
      { field: 'played_at', message: 'is older than 30 days' },
    ]);
  });

  it('rejects empty or overlong identifiers and optional fields, naming each', () => {
    expect(errorsOf({ ...valid, user_id: '   ' })).toEqual([
      { field: 'user_id', message: 'must not be empty' },
    ]);
    expect(errorsOf({ ...valid, song_id: 's'.repeat(65) })).toEqual([
      { field: 'song_id', message: 'must be at most 64 characters' },
    ]);
    expect(errorsOf({ ...valid, device: '' })).toEqual([{ field: 'device', message: 'must not be empty' }]);
    expect(errorsOf({ ...valid, session_id: 7 }).map((error) => error.field)).toEqual(['session_id']);
  });

  it.each([
    ['ESC (a terminal escape)', 'user_id', 'user-\u001b[31mred'],
    ['NUL', 'song_id', 'song\u0000-1'],
    ['a tab inside', 'device', 'ios\tphone'],
    ['DEL', 'session_id', 'sess-\u007f'],
    ['a C1 control (NEL)', 'device', '\u0085ios'],
    ['a C1 control (CSI)', 'user_id', 'user-\u009b1m'],
  ])('rejects %s in %s, naming the field', (_, field, value) => {
    expect(errorsOf({ ...valid, [field]: value })).toEqual([
      { field, message: 'must not contain control characters (U+0000–U+001F, U+007F–U+009F)' },
    ]);
  });

  it('trims whitespace controls around an identifier rather than rejecting them, and keeps other Unicode', () => {
    expect(validValue({ ...valid, user_id: '\tuser-7\r\n' }).user_id).toBe('user-7');
    // U+00A0 (no-break space, trimmed) and U+200E (a format character, not a control) are not controls.
    expect(validValue({ ...valid, song_id: 'song\u200e-é-😀\u00a0' }).song_id).toBe('song\u200e-é-😀');
  });

  it('reports a wrong region and a bad timestamp together', () => {
    const errors = errorsOf({ ...valid, region: 'zz', played_at: '2027-01-01T00:00:00Z' });
    expect(errors.map((error) => error.field).sort()).toEqual(['played_at', 'region']);
  });
});
