/**
 * The dashboard's response schemas, typed against the HTTP API's OpenAPI document (docs/openapi.json, whose
 * types `npm run openapi` generates into api-types.gen.ts). Each line below is a type check only: if the
 * server's document and a dashboard schema drift apart in either direction, `tsc -p frontend` fails here.
 */
import type { Chart, ChartEntry, ChartWindows } from '../features/charts/api/schemas.ts';
import type { HopCounts, Pipeline } from '../features/pipeline/api/schemas.ts';
import type { SongChartPoint, SongHistory } from '../features/songs/api/schemas.ts';
import type { Genre } from '../utils/genres.ts';
import type {
  operations,
  SchemaChart,
  SchemaChartEntry,
  SchemaChartWindows,
  SchemaHopCounts,
  SchemaPipeline,
  SchemaSongChartPoint,
  SchemaSongHistory,
} from './api-types.gen.ts';

/** The genres `GET /v1/charts?genre=` accepts, as the API document declares them. */
type SchemaGenre = NonNullable<operations['getChart']['parameters']['query']['genre']>;

/** `true` when A and B are each assignable to the other, else `never`, which `true` cannot be assigned to. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;

export const dashboardSchemasFollowTheApiDocument: readonly true[] = [
  true satisfies Same<ChartEntry, SchemaChartEntry>,
  true satisfies Same<Chart, SchemaChart>,
  true satisfies Same<ChartWindows, SchemaChartWindows>,
  true satisfies Same<SongChartPoint, SchemaSongChartPoint>,
  true satisfies Same<SongHistory, SchemaSongHistory>,
  true satisfies Same<Pipeline, SchemaPipeline>,
  true satisfies Same<HopCounts, SchemaHopCounts>,
  true satisfies Same<Genre, SchemaGenre>,
];
