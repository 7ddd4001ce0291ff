import { dependencies } from '../../src/runtime/dependencies.ts';
import { serveCharts } from '../../src/use-cases/serve-charts.ts';
import { httpFunction } from '../shared/http-function.ts';

export const handler = httpFunction(async (request) => {
  const deps = dependencies();
  return serveCharts(request, { charts: await deps.chartStore(), regions: deps.settings.regions });
});
