import { describe, expect, it } from 'vitest';
import { parseWindowStart, shiftWindow, windowStarts } from '../../../frontend/src/utils/windows.ts';

describe('dashboard chart windows', () => {
  it('reads a link’s start as the start of its UTC window, whatever its precision or offset', () => {
    expect(parseWindowStart('hour', '2026-11-27T13:00:00Z')).toBe('2026-11-27T13:00:00.000Z');
    expect(parseWindowStart('hour', '2026-11-27T13:42:10.5Z')).toBe('2026-11-27T13:00:00.000Z');
    expect(parseWindowStart('hour', '2026-11-27T15:30:00+02:00')).toBe('2026-11-27T13:00:00.000Z');
    expect(parseWindowStart('day', '2026-11-27T23:59:59Z')).toBe('2026-11-27T00:00:00.000Z');
    expect(parseWindowStart('day', '2026-11-27')).toBe('2026-11-27T00:00:00.000Z');
  });

  it('has no start for a missing or unreadable one', () => {
    expect(parseWindowStart('hour', null)).toBeUndefined();
    expect(parseWindowStart('hour', '')).toBeUndefined();
    expect(parseWindowStart('hour', 'yesterday')).toBeUndefined();
  });

  it('steps a window back and forth across days, months and years', () => {
    expect(shiftWindow('hour', '2027-01-01T00:00:00.000Z', -1)).toBe('2026-12-31T23:00:00.000Z');
    expect(shiftWindow('day', '2026-02-28T00:00:00.000Z', 1)).toBe('2026-03-01T00:00:00.000Z');
    expect(windowStarts('hour', '2026-11-27T22:00:00.000Z', '2026-11-28T01:00:00.000Z')).toEqual([
      '2026-11-27T22:00:00.000Z',
      '2026-11-27T23:00:00.000Z',
      '2026-11-28T00:00:00.000Z',
    ]);
  });
});
