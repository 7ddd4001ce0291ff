import { describe, expect, it } from 'vitest';
import { parseCliArgs, parseDuration, parseShare, UsageError, usage } from '../../../simulator/cli-args.ts';

const parse = (...args: string[]) => parseCliArgs(args, { PORT: '4000' });

describe('parseCliArgs', () => {
  it('has defaults, taking the URL from PORT', () => {
    expect(parse()).toMatchObject({ help: false, quiet: false, options: { url: 'http://localhost:4000' } });
    expect(parseCliArgs([], {})).toMatchObject({ options: { url: 'http://localhost:3000' } });
  });

  it('reads every flag', () => {
    const command = parse(
      '--url=http://127.0.0.1:9999',
      '--rate',
      '12.5',
      '--duration',
      '1h30m',
      '--seed',
      '7',
      '--regions',
      'us, gb,us',
      '--batch-size',
      '500',
      '--backfill-hours',
      '24',
      '--count',
      '1000',
      '--duplicates',
      '5%',
      '--invalid',
      '0',
      '--short',
      '0.3',
      '--quiet',
    );
    expect(command).toMatchObject({
      quiet: true,
      options: {
        url: 'http://127.0.0.1:9999',
        rate: 12.5,
        durationMs: 5_400_000,
        seed: 7,
        regions: ['us', 'gb'],
        batchSize: 500,
        backfillHours: 24,
        count: 1000,
        duplicateRate: 0.05,
        invalidRate: 0,
        shortRate: 0.3,
      },
    });
  });

  it('takes the API key from --api-key, else TOP_SONGS_API_KEY, else names the development key file', () => {
    expect(parseCliArgs(['--api-key', 'tsk_flag'], { TOP_SONGS_API_KEY: 'tsk_env' })).toMatchObject({
      options: { apiKey: 'tsk_flag' },
    });
    expect(parseCliArgs([], { TOP_SONGS_API_KEY: 'tsk_env' })).toMatchObject({
      options: { apiKey: 'tsk_env' },
    });
    const fallback = parseCliArgs([], { TOP_SONGS_DATA_DIR: '/srv/top-songs', TOP_SONGS_API_KEY: '' });
    expect(fallback).toMatchObject({
      options: { apiKey: undefined },
      devApiKeyFile: '/srv/top-songs/dev-api-key',
    });
    expect(parseCliArgs([], {})).toMatchObject({ devApiKeyFile: '.data/dev-api-key' });
    expect(() => parseCliArgs(['--api-key', ' '], {})).toThrow(UsageError);
  });

  it('prints help with the defaults', () => {
    expect(parse('--help')).toEqual({ help: true });
    expect(parse('-h')).toEqual({ help: true });
    expect(usage({ PORT: '4000' })).toContain('http://localhost:4000');
    expect(usage({})).toContain('(default: 50)');
  });

  it.each([
    [['--rate', '0']],
    [['--rate', 'fast']],
    [['--duration', '10x']],
    [['--batch-size', '501']],
    [['--backfill-hours', '720']],
    [['--count', '-3']],
    [['--seed', '1.5']],
    [['--duplicates', '2']],
    [['--duplicates', '0.6', '--invalid', '0.6']],
    [['--regions', 'US']],
    [['--url', 'ftp://x']],
    [['--nope']],
    [['positional']],
  ])('rejects %j with a usage error', (args) => {
    expect(() => parse(...args)).toThrow(UsageError);
  });
});

describe('parseDuration and parseShare', () => {
  it('understands the usual units', () => {
    expect(parseDuration('--d', '90s')).toBe(90_000);
    expect(parseDuration('--d', '10m')).toBe(600_000);
    expect(parseDuration('--d', '1h')).toBe(3_600_000);
    expect(parseDuration('--d', '500ms')).toBe(500);
    expect(parseDuration('--d', '45')).toBe(45_000);
    expect(() => parseDuration('--d', '')).toThrow(UsageError);
    expect(() => parseDuration('--d', '0s')).toThrow(UsageError);
    expect(parseShare('--s', '20%')).toBeCloseTo(0.2);
    expect(parseShare('--s', '0.2')).toBe(0.2);
  });
});

describe('--catalog', () => {
  it('names the catalog to play: the lake, or a file; unset, the seeded one', () => {
    expect(parseCliArgs(['--catalog', 'lake'], {})).toMatchObject({ catalog: 'lake' });
    expect(parseCliArgs(['--catalog', '/tmp/songs.parquet'], {})).toMatchObject({
      catalog: '/tmp/songs.parquet',
    });
    expect(parseCliArgs([], {})).toMatchObject({ catalog: undefined });
    expect(() => parseCliArgs(['--catalog', ' '], {})).toThrow(/--catalog must be `lake` or the path/);
  });
});
