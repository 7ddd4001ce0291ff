import { httpRoutes } from '../../src/topology.ts';
import { type OpenApiDocument, openApiDocument } from '../../src/use-cases/http-api/openapi-document.ts';
import { serveCharts } from '../../src/use-cases/serve-charts.ts';
import { dependencies } from '../../src/wiring/dependencies.ts';
import { openedOnUse } from '../../src/wiring/opened-on-use.ts';
import { httpFunction } from '../shared/http-function.ts';

let apiDocument: OpenApiDocument | undefined;

export const handler = httpFunction(async (request) => {
  const deps = dependencies();
  return serveCharts(request, {
    charts: openedOnUse(deps.chartStore, [
      'replaceWindow',
      'windowState',
      'unfinishedWindows',
      'findChart',
      'listWindows',
      'findSongHistory',
      'upsertSongs',
      'revision',
    ]),
    live: openedOnUse(deps.liveCharts, ['liveTally']),
    regions: deps.settings.regions,
    clock: deps.clock,
    answers: deps.chartAnswers,
    // Made on first use, not at every cold start: most requests are for charts.
    apiDocument: () => {
      apiDocument ??= openApiDocument(httpRoutes);
      return apiDocument;
    },
  });
});
