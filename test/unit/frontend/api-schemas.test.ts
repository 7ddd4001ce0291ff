/**
 * The dashboard's API schemas follow the server's: for every response the dashboard reads, both describe the same
 * JSON (fields, types, bounds, enums, nullability), compared as JSON Schema. Only what the dashboard deliberately
 * relaxes is left out: descriptions, and `additionalProperties` (it lets fields a newer API adds through).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ChartSchema,
  ChartWindowsSchema,
  RegionsResponseSchema,
} from '../../../frontend/src/features/charts/api/schemas.ts';
import { SongHistorySchema } from '../../../frontend/src/features/songs/api/schemas.ts';
import {
  ChartResponse,
  ChartWindowsResponse,
  RegionsResponse,
  SongHistoryResponse,
} from '../../../src/use-cases/charts-api/schemas.ts';

/** The JSON Schema of a zod schema, without what the dashboard may differ in. */
function shape(schema: z.ZodType): unknown {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key]) => key !== 'description' && key !== 'additionalProperties' && key !== '$schema')
        .map(([key, value]) => [key, strip(value)]),
    );
  };
  return strip(z.toJSONSchema(schema, { io: 'output' }));
}

describe('dashboard API schemas', () => {
  it.each([
    ['GET /v1/regions', RegionsResponseSchema, RegionsResponse],
    ['GET /v1/charts', ChartSchema, ChartResponse],
    ['GET /v1/charts/windows', ChartWindowsSchema, ChartWindowsResponse],
    ['GET /v1/songs/{song_id}', SongHistorySchema, SongHistoryResponse],
  ] as const)('%s: the dashboard reads what the server sends', (_route, dashboard, server) => {
    expect(shape(dashboard)).toEqual(shape(server));
  });

  it('would notice a field the dashboard reads differently', () => {
    const drifted = ChartSchema.extend({ eligible_plays: z.int().positive() });
    expect(shape(drifted)).not.toEqual(shape(ChartResponse));
  });
});
