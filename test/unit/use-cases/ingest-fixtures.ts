import { authorizerContextOf } from '../../../src/domain/api-keys.ts';
import type { HttpRequest } from '../../../src/domain/http/http.ts';
import type { IngestPorts } from '../../../src/use-cases/ingest-plays.ts';
import { countingLimiter } from './counting-limiter.ts';

/** A valid play numbered `n` (its event id and song), played ten minutes before `ingestNow`. */
export const ingestPlay = (n: number, extra: Record<string, unknown> = {}) => ({
  event_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  user_id: 'u',
  song_id: `song-${n}`,
  region: 'us',
  played_at: '2026-11-20T10:40:00Z',
  ms_played: 60_000,
  ...extra,
});

export const ingestNow = new Date('2026-11-20T10:50:00Z');

/** POST /v1/plays with these events, authorised as key 7. */
export const ingestRequest = (events: unknown[], requestId?: string): HttpRequest => ({
  method: 'POST',
  path: '/v1/plays',
  query: {},
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ events }),
  authorizer: authorizerContextOf({ id: '7', name: 't', rateLimit: { requests: 100, windowSeconds: 60 } }),
  ...(requestId === undefined ? {} : { requestId }),
});

/** Ingest's ports for region us at `ingestNow`, key 7 active, counts taken; publishing discards unless overridden. */
export const ingestPorts = (overrides: Partial<IngestPorts> = {}): IngestPorts => ({
  transport: { publish: async () => {} },
  topic: 'song-plays',
  regions: ['us'],
  clock: () => ingestNow,
  rateLimiter: countingLimiter(['7']),
  counts: { addIngest: async () => {} },
  countsLost: (error) => {
    throw error;
  },
  ...overrides,
});
