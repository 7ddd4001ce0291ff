/** What ingest counts: events handed on, and those that were not, by a reason from a closed set. */
import { describe, expect, it } from 'vitest';
import { authorizerContextOf } from '../../../src/domain/api-keys.ts';
import type { HttpRequest } from '../../../src/domain/http/http.ts';
import type { CounterName, Metrics } from '../../../src/ports/metrics.ts';
import { TransportUnavailableError } from '../../../src/ports/transport.ts';
import { ingestPlays, rejectionReason } from '../../../src/use-cases/ingest-plays.ts';
import { countingLimiter } from './counting-limiter.ts';

const now = new Date('2026-11-20T10:50:00Z');

/** Counts as `name{label=value,…}` → sum. */
function recordingMetrics() {
  const counts = new Map<string, number>();
  const metrics: Metrics = {
    count: (name: CounterName, value: number, ...labels: [Record<string, string>?]) => {
      const key = `${name}${JSON.stringify(labels[0] ?? {})}`;
      counts.set(key, (counts.get(key) ?? 0) + value);
    },
    observe: () => {},
    flush: () => {},
  };
  return { metrics, counts };
}

const request = (events: unknown[]): HttpRequest => ({
  method: 'POST',
  path: '/v1/plays',
  query: {},
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ events }),
  authorizer: authorizerContextOf({ id: '7', name: 't', rateLimit: { requests: 100, windowSeconds: 60 } }),
});
const play = (n: number, extra: Record<string, unknown> = {}) => ({
  event_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  user_id: 'u',
  song_id: `song-${n}`,
  region: 'us',
  played_at: '2026-11-20T10:40:00Z',
  ms_played: 60_000,
  ...extra,
});

describe('ingest metrics', () => {
  it('counts accepted events once taken, rejected ones by their first field at fault', async () => {
    const { metrics, counts } = recordingMetrics();
    const events = [
      play(1),
      play(2, { region: 'zz' }),
      play(3, { ms_played: -1 }),
      play(4, { region: 'zz' }),
      7,
    ];
    const result = await ingestPlays(request(events), {
      transport: { publish: async () => {} },
      topic: 'song-plays',
      regions: ['us'],
      clock: () => now,
      rateLimiter: countingLimiter(['7']),
      metrics,
      counts: { addIngest: async () => {} },
      countsLost: (error) => {
        throw error;
      },
    });
    expect(result.statusCode).toBe(202);
    expect(Object.fromEntries(counts)).toEqual({
      'plays_accepted{}': 1,
      'plays_rejected{"reason":"invalid_region"}': 2,
      'plays_rejected{"reason":"invalid_ms_played"}': 1,
      'plays_rejected{"reason":"invalid_event"}': 1,
    });
  });

  it('counts the valid events of a 503 as transport_unavailable, never as accepted', async () => {
    const { metrics, counts } = recordingMetrics();
    const result = await ingestPlays(request([play(1), play(2)]), {
      transport: {
        publish: async () => {
          throw new TransportUnavailableError('brokers away', 5);
        },
      },
      topic: 'song-plays',
      regions: ['us'],
      clock: () => now,
      rateLimiter: countingLimiter(['7']),
      metrics,
      counts: { addIngest: async () => {} },
      countsLost: (error) => {
        throw error;
      },
    });
    expect(result.statusCode).toBe(503);
    expect(Object.fromEntries(counts)).toEqual({ 'plays_rejected{"reason":"transport_unavailable"}': 2 });
  });

  it('keeps reasons to the event’s own fields', () => {
    expect(rejectionReason('played_at')).toBe('invalid_played_at');
    expect(rejectionReason('device')).toBe('invalid_device');
    expect(rejectionReason('anything a client invents')).toBe('invalid_event');
    expect(rejectionReason(undefined)).toBe('invalid_event');
  });
});
