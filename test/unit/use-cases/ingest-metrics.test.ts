/** What ingest counts: events handed on, and those that were not, by a reason from a closed set. */
import { describe, expect, it } from 'vitest';
import type { CounterName, Metrics } from '../../../src/ports/metrics.ts';
import { TransportUnavailableError } from '../../../src/ports/transport.ts';
import { ingestPlays, rejectionReason } from '../../../src/use-cases/ingest-plays.ts';
import { ingestPlay, ingestPorts, ingestRequest } from './ingest-fixtures.ts';

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

describe('ingest metrics', () => {
  it('counts accepted events once taken, rejected ones by their first field at fault', async () => {
    const { metrics, counts } = recordingMetrics();
    const events = [
      ingestPlay(1),
      ingestPlay(2, { region: 'zz' }),
      ingestPlay(3, { ms_played: -1 }),
      ingestPlay(4, { region: 'zz' }),
      7,
    ];
    const result = await ingestPlays(ingestRequest(events), ingestPorts({ metrics }));
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
    const result = await ingestPlays(
      ingestRequest([ingestPlay(1), ingestPlay(2)]),
      ingestPorts({
        transport: {
          publish: async () => {
            throw new TransportUnavailableError('brokers away', 5);
          },
        },
        metrics,
      }),
    );
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
