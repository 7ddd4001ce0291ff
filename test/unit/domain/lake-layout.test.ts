import { describe, expect, it } from 'vitest';
import {
  dayPartitionPrefix,
  hourPartitionPrefix,
  isPlaysFile,
  playsFileKey,
  rejectsFileKey,
  windowPrefix,
} from '../../../src/domain/lake-layout.ts';

const source = { writer: 'lake-writer', topic: 'song-plays', partition: 2, firstOffset: 42 };

describe('lake layout', () => {
  it('names a plays file after its UTC hour and its first source offset, zero-padded', () => {
    expect(playsFileKey(new Date('2026-03-05T07:00:00Z'), source)).toBe(
      'plays/dt=2026-03-05/hour=07/lake-writer-song-plays-2-000000000042.parquet',
    );
    expect(playsFileKey(new Date('2026-11-20T00:00:00Z'), { ...source, partition: 0, firstOffset: 0 })).toBe(
      'plays/dt=2026-11-20/hour=00/lake-writer-song-plays-0-000000000000.parquet',
    );
    expect(playsFileKey(new Date('2026-11-20T23:00:00Z'), { ...source, firstOffset: 987_654_321_012 })).toBe(
      'plays/dt=2026-11-20/hour=23/lake-writer-song-plays-2-987654321012.parquet',
    );
  });

  it('names a rejects file after the date the records arrived, as JSON lines', () => {
    expect(rejectsFileKey(new Date('2026-11-20T23:59:59.999Z'), { ...source, firstOffset: 8 })).toBe(
      'rejects/dt=2026-11-20/lake-writer-song-plays-2-000000000008.jsonl',
    );
  });

  it('partitions by the UTC hour even when the instant was written with an offset', () => {
    // 01:30 at +02:00 is 23:30 UTC on the previous day.
    expect(hourPartitionPrefix(new Date('2026-11-20T01:30:00+02:00'))).toBe('plays/dt=2026-11-19/hour=23/');
    expect(hourPartitionPrefix(new Date('2026-01-01T09:05:00-00:30'))).toBe('plays/dt=2026-01-01/hour=09/');
    expect(dayPartitionPrefix(new Date('2026-11-20T01:30:00+02:00'))).toBe('plays/dt=2026-11-19/');
  });

  it('gives the prefix holding a chart window', () => {
    expect(windowPrefix('hour', new Date('2026-11-20T10:00:00Z'))).toBe('plays/dt=2026-11-20/hour=10/');
    expect(windowPrefix('day', new Date('2026-11-20T00:00:00Z'))).toBe('plays/dt=2026-11-20/');
    // Every hour file of the day lies under the day prefix.
    expect(
      playsFileKey(new Date('2026-11-20T17:00:00Z'), source).startsWith(
        windowPrefix('day', new Date('2026-11-20')),
      ),
    ).toBe(true);
  });

  it('tells plays files from anything else', () => {
    expect(isPlaysFile('plays/dt=2026-11-20/hour=10/lake-writer-song-plays-2-000000000042.parquet')).toBe(
      true,
    );
    expect(isPlaysFile('plays/dt=2026-11-20/hour=10/_SUCCESS')).toBe(false);
    expect(isPlaysFile('rejects/dt=2026-11-20/x.parquet')).toBe(false);
    expect(isPlaysFile('catalog/songs.parquet')).toBe(false);
  });
});
