/**
 * The dashboard reads every body the API's document allows: for each route the dashboard calls, bodies generated
 * from the 200 schema of docs/openapi.json (json-schema-faker, seeded: nulls, empty and full lists, bounds) parse
 * with the dashboard's own zod schemas. The same bodies parse with the server's zod schemas, so the samples are
 * what the server may really send. A dashboard that reads a field more strictly than the API promises fails here.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { generateSync, type JsonSchema } from 'json-schema-faker';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ChartEntrySchema,
  ChartSchema,
  ChartWindowsSchema,
  RegionsResponseSchema,
} from '../../../frontend/src/features/charts/api/schemas.ts';
import { SongHistorySchema } from '../../../frontend/src/features/songs/api/schemas.ts';
import { httpApiOperations, type RouteKey } from '../../../src/use-cases/http-api/operations.ts';

const SAMPLES = 200;

/** Every route the dashboard reads, with the schema it reads the 200 body with. */
const dashboardReads: readonly (readonly [RouteKey, z.ZodType])[] = [
  ['GET /v1/regions', RegionsResponseSchema],
  ['GET /v1/charts', ChartSchema],
  ['GET /v1/charts/windows', ChartWindowsSchema],
  ['GET /v1/songs/{song_id}', SongHistorySchema],
];

interface Document {
  readonly paths: Record<string, Record<string, { responses: Record<string, { content: unknown }> }>>;
  readonly components: unknown;
}

const document: Document = JSON.parse(
  await readFile(resolve(import.meta.dirname, '../../../docs/openapi.json'), 'utf8'),
);

/** 200 bodies of `route` as the document describes them. */
function samples(route: RouteKey): unknown[] {
  const [method = '', path = ''] = route.split(' ');
  const content = document.paths[path]?.[method.toLowerCase()]?.responses['200']?.content as {
    'application/json': { schema: JsonSchema };
  };
  // The schema with the document's components beside it, so that its $refs resolve.
  const schema = { ...(content['application/json'].schema as object), components: document.components };
  return Array.from({ length: SAMPLES }, (_, index) => generateSync(schema, { seed: index + 1 }));
}

/** The server's zod schema of the 200 body of `route`. */
function serverSchema(route: RouteKey): z.ZodType {
  const ok = httpApiOperations[route]?.responses['200'];
  const schema = ok && 'content' in ok ? ok.content?.['application/json']?.schema : undefined;
  if (!(schema instanceof z.ZodType)) throw new Error(`${route} has no zod schema for its 200 body`);
  return schema;
}

const failures = (schema: z.ZodType, bodies: readonly unknown[]) =>
  bodies.flatMap((body) => {
    const parsed = schema.safeParse(body);
    return parsed.success ? [] : [{ body, issues: parsed.error.issues }];
  });

describe('the dashboard and the API document', () => {
  it.each(dashboardReads)('%s: every body the document allows, the dashboard reads', (route, dashboard) => {
    const bodies = samples(route);
    expect(failures(serverSchema(route), bodies), 'samples the server would not send').toEqual([]);
    expect(failures(dashboard, bodies).slice(0, 3)).toEqual([]);
  });

  it('would notice the dashboard reading a field more strictly than the document allows', () => {
    // A title that must be there, where the document says null while the catalog does not know the song.
    const strictTitle = ChartSchema.extend({
      entries: z.array(ChartEntrySchema.extend({ title: z.string() })),
    });
    expect(failures(strictTitle, samples('GET /v1/charts')).length).toBeGreaterThan(0);
  });
});
