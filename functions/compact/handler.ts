import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import middy from '@middy/core';
import { z } from 'zod';
import { compactPlayFiles } from '../../src/adapters/duckdb/compact-plays.ts';
import {
  configureDuckDb,
  duckDbResourcesFor,
  HOUR_REWRITE_THREADS,
} from '../../src/adapters/duckdb/duckdb.ts';
import { withScratchDir } from '../../src/adapters/scratch-dir.ts';
import { functionNamed } from '../../src/topology.ts';
import { compactClosedHours, compactHour, type HourCompaction } from '../../src/use-cases/compact-plays.ts';
import { dependencies } from '../../src/wiring/dependencies.ts';
import { createFunctionLogger } from '../../src/wiring/logger.ts';
import { flushMetrics } from '../shared/metrics.ts';

/** `{"period": "hour", "window_start": "…"}`: that hour, closed or not; the schedule's event: the closed hours due. */
const ExplicitRequestSchema = z.strictObject({
  period: z.literal('hour'),
  window_start: z.iso.datetime({ offset: true }),
});
const CompactEventSchema = z.union([EventBridgeSchema, ExplicitRequestSchema]);
type CompactEvent = z.infer<typeof CompactEventSchema>;

const logger = createFunctionLogger();

export const handler = middy<CompactEvent, { readonly hours: readonly HourCompaction[] }>()
  .use(flushMetrics())
  .use(injectLambdaContext(logger))
  .use(parser({ schema: CompactEventSchema }))
  .handler(async (event) => {
    const deps = dependencies();
    const memoryMb = deps.settings.lambdaMemoryMb ?? functionNamed('compact').memoryMb;
    configureDuckDb(duckDbResourcesFor(memoryMb, { threads: HOUR_REWRITE_THREADS }));
    const ports = {
      lake: deps.lake(),
      clock: deps.clock,
      compact: compactPlayFiles,
      withScratchDir,
      readLocalFile: async (path: string) => new Uint8Array(await readFile(path)),
      randomHex: () => randomBytes(4).toString('hex'),
    };
    const hours =
      'source' in event
        ? await compactClosedHours(ports)
        : [await compactHour(new Date(event.window_start), ports)];
    logger.info('plays compacted', { hours });
    return { hours };
  });
