import { chartStoreOnUse, dependencies } from '../../src/runtime/dependencies.ts';
import { serveCharts } from '../../src/use-cases/serve-charts.ts';
import { httpFunction } from '../shared/http-function.ts';

export const handler = httpFunction(async (request) => {
  const deps = dependencies();
  return serveCharts(request, {
    charts: chartStoreOnUse(deps),
    regions: deps.settings.regions,
    clock: deps.clock,
  });
});
