import { qualified, topics } from '../../src/topology.ts';
import { ingestPlays } from '../../src/use-cases/ingest-plays.ts';
import { dependencies } from '../../src/wiring/dependencies.ts';
import { logger } from '../../src/wiring/logger.ts';
import { openedOnUse } from '../../src/wiring/opened-on-use.ts';
import { httpFunction } from '../shared/http-function.ts';

export const handler = httpFunction(async (request) => {
  const deps = dependencies();
  return ingestPlays(request, {
    // Opened on the way to publishing, so that brokers out of reach at a cold start are a 503 with
    // Retry-After, as they are later, rather than a 500.
    transport: openedOnUse(deps.transport, ['publish']),
    topic: qualified(topics.plays.name, deps.settings.namespace),
    regions: deps.settings.regions,
    clock: deps.clock,
    // Likewise the database behind the rate limiter: out of reach, it is a 503, never a request let through.
    rateLimiter: openedOnUse(deps.rateLimiter, ['countRequest']),
    metrics: deps.metrics,
    counts: openedOnUse(deps.pipelineCounts, ['addIngest']),
    countsLost: (error) =>
      logger.error('the counts of an answered request were not stored; its window will not reconcile', {
        error,
      }),
  });
});
