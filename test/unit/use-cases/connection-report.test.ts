import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../src/use-cases/check-connections.ts';
import { formatTable, reportDocument, summary } from '../../../src/use-cases/connection-report.ts';

const results: CheckResult[] = [
  {
    service: 'postgres',
    target: '127.0.0.1:5432/top_songs',
    status: 'fail',
    latencyMs: 12,
    detail: 'password authentication failed for user "top"',
    hint: 'PostgreSQL refused the password for user top: check DATABASE_URL',
  },
  {
    service: 'kafka',
    target: '127.0.0.1:9092',
    status: 'ok',
    latencyMs: 1503,
    detail: '1 broker; song-plays ×3',
  },
  { service: 'openai', target: '-', status: 'skip', latencyMs: undefined, detail: 'not configured' },
];

describe('the connection report', () => {
  it('is a table with aligned columns, each hint under its failure, and the counts', () => {
    expect(formatTable(results)).toBe(
      [
        'service   target                    status  ms    details',
        'postgres  127.0.0.1:5432/top_songs  fail    12    password authentication failed for user "top"',
        '                                                  hint: PostgreSQL refused the password for user top: check DATABASE_URL',
        'kafka     127.0.0.1:9092            ok      1503  1 broker; song-plays ×3',
        'openai    -                         skip    -     not configured',
        '',
        '1 ok, 1 failed, 1 skipped',
        '',
      ].join('\n'),
    );
  });

  it('has its headings as the narrowest width', () => {
    const narrow: CheckResult[] = [
      { service: 'aws', target: 'x', status: 'ok', latencyMs: 1, detail: 'fine' },
    ];
    expect(formatTable(narrow).split('\n')).toEqual([
      'service  target  status  ms  details',
      'aws      x       ok      1   fine',
      '',
      '1 ok, 0 failed, 0 skipped',
      '',
    ]);
  });

  it('counts every status', () => {
    expect(summary([])).toBe('0 ok, 0 failed, 0 skipped');
    expect(summary([...results, results[1]!])).toBe('2 ok, 1 failed, 1 skipped');
  });

  it('as JSON: the same rows, snake_case, null for what a row lacks, and ok false when one failed', () => {
    expect(reportDocument(results, 5000)).toEqual({
      ok: false,
      timeout_ms: 5000,
      checks: [
        {
          service: 'postgres',
          target: '127.0.0.1:5432/top_songs',
          status: 'fail',
          latency_ms: 12,
          detail: 'password authentication failed for user "top"',
          hint: 'PostgreSQL refused the password for user top: check DATABASE_URL',
        },
        {
          service: 'kafka',
          target: '127.0.0.1:9092',
          status: 'ok',
          latency_ms: 1503,
          detail: '1 broker; song-plays ×3',
          hint: null,
        },
        {
          service: 'openai',
          target: '-',
          status: 'skip',
          latency_ms: null,
          detail: 'not configured',
          hint: null,
        },
      ],
    });
    expect(reportDocument(results.slice(1), 5000).ok).toBe(true);
  });
});
