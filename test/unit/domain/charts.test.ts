import { describe, expect, it } from 'vitest';
import {
  type ChartWindow,
  isWindowStart,
  previousWindow,
  statusAt,
  windowContaining,
  windowStartingAt,
} from '../../../src/domain/charts.ts';

const at = (iso: string) => new Date(iso);
const iso = (window: ChartWindow) => ({
  period: window.period,
  start: window.start.toISOString(),
  end: window.end.toISOString(),
});

describe('windowContaining', () => {
  it('gives the UTC hour [start, end) around an instant', () => {
    expect(iso(windowContaining('hour', at('2026-11-20T10:37:12.345Z')))).toEqual({
      period: 'hour',
      start: '2026-11-20T10:00:00.000Z',
      end: '2026-11-20T11:00:00.000Z',
    });
    // The last millisecond belongs to the hour; the end belongs to the next one.
    expect(windowContaining('hour', at('2026-11-20T10:59:59.999Z')).start.toISOString()).toBe(
      '2026-11-20T10:00:00.000Z',
    );
    expect(windowContaining('hour', at('2026-11-20T11:00:00.000Z')).start.toISOString()).toBe(
      '2026-11-20T11:00:00.000Z',
    );
  });

  it('gives the UTC day, whatever offset the instant was written with', () => {
    // 01:30 at +02:00 is 23:30 UTC on the day before.
    expect(iso(windowContaining('day', at('2026-11-20T01:30:00+02:00')))).toEqual({
      period: 'day',
      start: '2026-11-19T00:00:00.000Z',
      end: '2026-11-20T00:00:00.000Z',
    });
    expect(iso(windowContaining('hour', at('2026-11-20T01:30:00+02:00')))).toMatchObject({
      start: '2026-11-19T23:00:00.000Z',
      end: '2026-11-20T00:00:00.000Z',
    });
    expect(windowContaining('day', at('2026-12-31T23:59:59.999Z')).end.toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
    expect(windowContaining('day', at('2027-01-01T00:00:00Z')).start.toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });
});

describe('windowStartingAt', () => {
  it('returns the window starting exactly there', () => {
    expect(iso(windowStartingAt('hour', at('2026-11-20T10:00:00Z')))).toEqual({
      period: 'hour',
      start: '2026-11-20T10:00:00.000Z',
      end: '2026-11-20T11:00:00.000Z',
    });
    expect(iso(windowStartingAt('day', at('2026-11-20T00:00:00Z')))).toEqual({
      period: 'day',
      start: '2026-11-20T00:00:00.000Z',
      end: '2026-11-21T00:00:00.000Z',
    });
    // An offset that lands on a UTC boundary is a boundary.
    expect(windowStartingAt('hour', at('2026-11-20T15:00:00+05:00')).start.toISOString()).toBe(
      '2026-11-20T10:00:00.000Z',
    );
  });

  it('refuses a misaligned start with a RangeError that suggests the aligned one', () => {
    expect(() => windowStartingAt('hour', at('2026-11-20T10:00:00.001Z'))).toThrow(RangeError);
    expect(() => windowStartingAt('hour', at('2026-11-20T10:30:00Z'))).toThrow(
      '2026-11-20T10:30:00.000Z is not the start of a UTC hour; expected e.g. 2026-11-20T10:00:00.000Z',
    );
    // An hour boundary is not a day boundary.
    expect(() => windowStartingAt('day', at('2026-11-20T10:00:00Z'))).toThrow(
      '2026-11-20T10:00:00.000Z is not the start of a UTC day; expected e.g. 2026-11-20T00:00:00.000Z',
    );
    // Local midnight at +01:00 is 23:00 UTC: not a UTC day start.
    expect(() => windowStartingAt('day', at('2026-11-20T00:00:00+01:00'))).toThrow(RangeError);
  });

  it('agrees with isWindowStart', () => {
    expect(isWindowStart('hour', at('2026-11-20T10:00:00Z'))).toBe(true);
    expect(isWindowStart('hour', at('2026-11-20T10:00:01Z'))).toBe(false);
    expect(isWindowStart('day', at('2026-11-20T00:00:00Z'))).toBe(true);
    expect(isWindowStart('day', at('2026-11-20T01:00:00Z'))).toBe(false);
    // Before the epoch too.
    expect(isWindowStart('hour', at('1969-12-31T23:00:00Z'))).toBe(true);
  });
});

describe('previousWindow', () => {
  it('steps back one hour, across midnight', () => {
    const previous = previousWindow(windowStartingAt('hour', at('2026-11-20T00:00:00Z')));
    expect(iso(previous)).toEqual({
      period: 'hour',
      start: '2026-11-19T23:00:00.000Z',
      end: '2026-11-20T00:00:00.000Z',
    });
  });

  it('steps back one day, across a year', () => {
    const previous = previousWindow(windowStartingAt('day', at('2027-01-01T00:00:00Z')));
    expect(iso(previous)).toEqual({
      period: 'day',
      start: '2026-12-31T00:00:00.000Z',
      end: '2027-01-01T00:00:00.000Z',
    });
  });
});

describe('statusAt', () => {
  const window = windowStartingAt('hour', at('2026-11-20T10:00:00Z'));

  it('is provisional until the window ends, closing within the 5-minute grace after it, final from then on', () => {
    expect(statusAt(window, at('2026-11-20T10:00:00Z'))).toBe('provisional');
    expect(statusAt(window, at('2026-11-20T10:59:59.999Z'))).toBe('provisional');
    expect(statusAt(window, at('2026-11-20T11:00:00Z'))).toBe('closing');
    expect(statusAt(window, at('2026-11-20T11:04:59.999Z'))).toBe('closing');
    expect(statusAt(window, at('2026-11-20T11:05:00Z'))).toBe('final');
    expect(statusAt(window, at('2026-11-21T00:00:00Z'))).toBe('final');
  });

  it('is provisional for a window in the future', () => {
    expect(statusAt(window, at('2026-11-20T09:00:00Z'))).toBe('provisional');
  });

  it('uses the day end for day windows', () => {
    const day = windowStartingAt('day', at('2026-11-20T00:00:00Z'));
    expect(statusAt(day, at('2026-11-20T23:59:59.999Z'))).toBe('provisional');
    expect(statusAt(day, at('2026-11-21T00:00:00Z'))).toBe('closing');
    expect(statusAt(day, at('2026-11-21T00:05:00Z'))).toBe('final');
  });
});
