import { dependencies } from '../../src/runtime/dependencies.ts';
import { topics } from '../../src/topology.ts';
import { ingestPlays } from '../../src/use-cases/ingest-plays.ts';
import { httpFunction } from '../shared/http-function.ts';

export const handler = httpFunction(async (request) => {
  const deps = dependencies();
  return ingestPlays(request, {
    transport: await deps.transport(),
    topic: topics.plays.name,
    regions: deps.settings.regions,
    clock: deps.clock,
  });
});
