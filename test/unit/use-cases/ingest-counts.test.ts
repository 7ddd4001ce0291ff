import { describe, expect, it } from 'vitest';
import { type ActiveApiKey, authorizerContextOf } from '../../../src/domain/api-keys.ts';
import {
  countedHour,
  type HourCount,
  type RejectionCount,
  sumCounts,
} from '../../../src/domain/pipeline-counts.ts';
import { TransportUnavailableError } from '../../../src/ports/transport.ts';
import { deliveryCounts } from '../../../src/use-cases/ingest-counts.ts';
import { ingestPlays } from '../../../src/use-cases/ingest-plays.ts';
import { countingLimiter } from './counting-limiter.ts';

const now = new Date('2026-11-20T10:50:00Z');
const caller: ActiveApiKey = { id: '7', name: 'tests', rateLimit: { requests: 1000, windowSeconds: 60 } };
const eventId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const play = (n: number, extra: Record<string, unknown> = {}) => ({
  event_id: eventId(n),
  user_id: 'u',
  song_id: `song-${n}`,
  region: 'us',
  played_at: '2026-11-20T09:40:00Z',
  ms_played: 60_000,
  ...extra,
});

function setup(options: { publishFails?: boolean; countsFail?: boolean } = {}) {
  const added: { accepted: readonly HourCount[]; rejected: readonly RejectionCount[] }[] = [];
  const lost: unknown[] = [];
  const send = (events: unknown[]) =>
    ingestPlays(
      {
        method: 'POST',
        path: '/v1/plays',
        query: {},
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
        authorizer: authorizerContextOf(caller),
      },
      {
        transport: {
          publish: async () => {
            if (options.publishFails) throw new TransportUnavailableError('brokers away', 5);
          },
        },
        topic: 'song-plays',
        regions: ['us', 'gb'],
        clock: () => now,
        rateLimiter: countingLimiter(['7']),
        counts: {
          addIngest: async (accepted, rejected) => {
            if (options.countsFail) throw new Error('database away');
            added.push({ accepted, rejected });
          },
        },
        countsLost: (error) => lost.push(error),
      },
    );
  return { added, lost, send };
}

const hour = (iso: string) => new Date(iso);

describe('ingest counts what it acknowledged and rejected', () => {
  it('counts accepted deliveries per hour of played_at and region, a resent event again', async () => {
    const { added, send } = setup();
    const result = await send([
      play(1),
      play(1), // the same event twice in one request: two deliveries
      play(2, { region: 'gb' }),
      play(3, { played_at: '2026-11-20T10:05:00+00:00' }),
    ]);
    expect(result.statusCode).toBe(202);
    expect(added).toHaveLength(1);
    expect(added[0]!.rejected).toEqual([]);
    expect(added[0]!.accepted).toEqual(
      expect.arrayContaining([
        { hour: hour('2026-11-20T09:00:00Z'), region: 'us', count: 2 },
        { hour: hour('2026-11-20T09:00:00Z'), region: 'gb', count: 1 },
        { hour: hour('2026-11-20T10:00:00Z'), region: 'us', count: 1 },
      ]),
    );
    expect(added[0]!.accepted).toHaveLength(3);
  });

  it('counts rejected events by their first field at fault (invalid_<field>), in their region and hour when readable', async () => {
    const { added, send } = setup();
    const result = await send([
      play(1),
      play(2, { ms_played: -1 }),
      play(3, { ms_played: 'long' }),
      play(4, { region: 'zz' }),
      play(5, { played_at: 'yesterday' }),
      'not an event',
    ]);
    expect(result.statusCode).toBe(202);
    const nine = hour('2026-11-20T09:00:00Z');
    const ten = hour('2026-11-20T10:00:00Z'); // the hour of receipt, when played_at cannot be read
    expect(added[0]!.rejected).toEqual(
      expect.arrayContaining([
        { hour: nine, region: 'us', reason: 'invalid_ms_played', count: 2 },
        { hour: nine, region: '', reason: 'invalid_region', count: 1 },
        { hour: ten, region: 'us', reason: 'invalid_played_at', count: 1 },
        { hour: ten, region: '', reason: 'invalid_event', count: 1 },
      ]),
    );
    expect(added[0]!.rejected.reduce((sum, count) => sum + count.count, 0)).toBe(5);
  });

  it('counts the rejections of a request with no valid event, and nothing of one the transport refused', async () => {
    const refusedAll = setup();
    expect((await refusedAll.send([play(1, { ms_played: -5 })])).statusCode).toBe(400);
    expect(refusedAll.added).toEqual([
      {
        accepted: [],
        rejected: [
          { hour: hour('2026-11-20T09:00:00Z'), region: 'us', reason: 'invalid_ms_played', count: 1 },
        ],
      },
    ]);

    const unavailable = setup({ publishFails: true });
    expect((await unavailable.send([play(1), play(2, { ms_played: -5 })])).statusCode).toBe(503);
    expect(unavailable.added).toEqual([]);
  });

  it('answers 202 when the counts cannot be stored, and says they were lost', async () => {
    const { lost, send } = setup({ countsFail: true });
    expect((await send([play(1)])).statusCode).toBe(202);
    expect(lost).toHaveLength(1);
    expect(String(lost[0])).toContain('database away');
  });
});

describe('deliveryCounts', () => {
  it('adds up accepted events by hour and region as the general count does, in first-seen order', () => {
    const regions = ['us', 'gb', 'de'];
    const events = Array.from({ length: 500 }, (_, n) => ({
      ...play(n),
      region: regions[(n * 7) % 3]!,
      // Over three days and across hour edges, with and without milliseconds set.
      played_at: new Date(Date.UTC(2026, 10, 18) + ((n * 7_919_513) % (3 * 86_400_000))).toISOString(),
    }));
    const general = sumCounts(
      events.map((event) => ({ hour: countedHour(event.played_at, now), region: event.region, count: 1 })),
      () => '',
    );
    expect(general.length).toBeGreaterThan(50);
    expect(deliveryCounts(events)).toEqual(general);
  });
});
