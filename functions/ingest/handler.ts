import { dependencies } from '../../src/runtime/dependencies.ts';
import { qualified, topics } from '../../src/topology.ts';
import { ingestPlays } from '../../src/use-cases/ingest-plays.ts';
import { httpFunction } from '../shared/http-function.ts';

export const handler = httpFunction(async (request) => {
  const deps = dependencies();
  return ingestPlays(request, {
    transport: await deps.transport(),
    topic: qualified(topics.plays.name, deps.settings.namespace),
    regions: deps.settings.regions,
    clock: deps.clock,
  });
});
