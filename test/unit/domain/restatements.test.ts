import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LATE_PLAY_GRACE_MS, windowStartingAt } from '../../../src/domain/charts.ts';
import {
  closedToWriters,
  markedWindow,
  restatementMarkKeys,
  WRITER_CLOCK_ALLOWANCE_MS,
  windowMarksPrefix,
} from '../../../src/domain/restatements.ts';

const at = (instant: string) => new Date(instant);
const playsKey = 'plays/dt=2026-11-20/hour=09/lake-writer-song-plays-2-000000000042.parquet';

describe('closedToWriters', () => {
  const hour = windowStartingAt('hour', at('2026-11-20T09:00:00Z'));

  it('is false while the window is open and for the first four minutes of its grace, true from then on', () => {
    expect(closedToWriters(hour, at('2026-11-20T09:59:59Z'))).toBe(false);
    expect(closedToWriters(hour, at('2026-11-20T10:03:59.999Z'))).toBe(false);
    // A minute before the grace ends: the allowance for a writer's clock behind the chart job's.
    expect(closedToWriters(hour, at('2026-11-20T10:04:00Z'))).toBe(true);
    expect(closedToWriters(hour, at('2026-12-19T00:00:00Z'))).toBe(true);
  });
});

describe('restatementMarkKeys', () => {
  const hourStart = at('2026-11-20T09:00:00Z');

  it('marks nothing while the hour is still open or closing', () => {
    expect(restatementMarkKeys(hourStart, playsKey, at('2026-11-20T10:01:00Z'))).toEqual([]);
  });

  it('marks the closed hour alone while its day is open', () => {
    expect(restatementMarkKeys(hourStart, playsKey, at('2026-11-20T13:00:00Z'))).toEqual([
      'restatements/hour/2026-11-20T09/lake-writer-song-plays-2-000000000042',
    ]);
  });

  it('marks the hour and its day once the day is closed too, the day mark naming the hour', () => {
    expect(restatementMarkKeys(hourStart, playsKey, at('2026-11-21T00:04:00Z'))).toEqual([
      'restatements/hour/2026-11-20T09/lake-writer-song-plays-2-000000000042',
      'restatements/day/2026-11-20/09-lake-writer-song-plays-2-000000000042',
    ]);
  });
});

describe('markedWindow', () => {
  it('reads back the window of each mark a writer makes', () => {
    const [hourMark, dayMark] = restatementMarkKeys(
      at('2026-11-20T09:00:00Z'),
      playsKey,
      at('2026-11-22T00:00:00Z'),
    );
    expect(markedWindow('hour', hourMark!)).toEqual(windowStartingAt('hour', at('2026-11-20T09:00:00Z')));
    expect(markedWindow('day', dayMark!)).toEqual(windowStartingAt('day', at('2026-11-20T00:00:00Z')));
    expect(
      hourMark!.startsWith(windowMarksPrefix(windowStartingAt('hour', at('2026-11-20T09:00:00Z')))),
    ).toBe(true);
  });

  it('ignores keys that are not marks of the period', () => {
    for (const key of [
      'restatements/day/2026-11-20/09-x',
      'restatements/hour/2026-11-20/x',
      'restatements/hour/2026-11-20T25/x',
      'restatements/hour/2026-11-20T09/nested/x',
      'restatements/hour/2026-11-20T09/',
      'restatements/hour/2026-11-20T09/.lake-writer-song-plays-0-000000000001.crc',
      'plays/dt=2026-11-20/hour=09/x.parquet',
    ]) {
      expect(markedWindow('hour', key), key).toBeUndefined();
    }
    expect(markedWindow('day', 'restatements/day/2026-13-40/x')).toBeUndefined();
  });
});

describe('the Spark job’s copy of the rules', () => {
  it('has the same grace and clock allowance (spark/top_songs_stream/restatements.py)', () => {
    const python = readFileSync(
      new URL('../../../spark/top_songs_stream/restatements.py', import.meta.url),
      'utf8',
    );
    const constant = (name: string) => Number(new RegExp(`^${name} = (\\d+)$`, 'm').exec(python)?.[1]);
    expect(constant('RESTATEMENT_GRACE_SECONDS') * 1000).toBe(LATE_PLAY_GRACE_MS);
    expect(constant('WRITER_CLOCK_ALLOWANCE_SECONDS') * 1000).toBe(WRITER_CLOCK_ALLOWANCE_MS);
  });
});
