/**
 * The HTTP API's contract, route by route: parameters, body and answers by status, as the zod schemas the use
 * cases validate with and build their bodies as. openapi-document.ts turns it into the OpenAPI document of the
 * topology's routes, and refuses a route that has no entry here (or an entry for no route).
 */
import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiResponseObject } from 'zod-openapi';
import { defaultRegions } from '../../domain/regions.ts';
import { chartQuery } from '../charts-api/chart.ts';
import {
  ChartEntryResponse,
  ChartResponse,
  ChartWindowsResponse,
  RegionsResponse,
  SongChartPoint,
  SongHistoryResponse,
  SongRegionHistory,
  WindowSummary,
} from '../charts-api/schemas.ts';
import { songHistoryQuery, songPath } from '../charts-api/song-history.ts';
import { chartWindowsQuery } from '../charts-api/windows.ts';
import { MAX_BODY_BYTES } from '../ingest-plays.ts';
import {
  PlaysAcceptedResponse,
  PlaysRefusedResponse,
  PlaysRequest,
  RateLimitedResponse,
  RejectedEventResponse,
} from '../ingest-schemas.ts';
import { pipelineQuery } from '../pipeline-api/pipeline.ts';
import {
  HopCountsResponse,
  PartitionLagResponse,
  PipelineResponse,
  ReconciliationResponse,
} from '../pipeline-api/schemas.ts';
import {
  CachedBodyHeaders,
  CacheHeaders,
  ChallengeHeaders,
  ConditionalRequestHeaders,
  ErrorResponse,
  FieldErrorResponse,
  RetryHeaders,
} from './responses.ts';

/** `METHOD /path`, as the topology declares a route. */
export type RouteKey = `${'GET' | 'POST'} /${string}`;

/** The OpenAPI document itself, loosely: what a reader of it may rely on. */
export const OpenApiDocumentResponse = z.looseObject({
  openapi: z.string().startsWith('3.1.'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.looseObject({})),
});

/** The reusable response schemas, named in the document's components (PlayEvent names itself). */
export const namedSchemas = {
  Error: ErrorResponse,
  FieldError: FieldErrorResponse,
  PlaysAccepted: PlaysAcceptedResponse,
  PlaysRefused: PlaysRefusedResponse,
  RateLimited: RateLimitedResponse,
  RejectedEvent: RejectedEventResponse,
  Regions: RegionsResponse,
  Chart: ChartResponse,
  ChartEntry: ChartEntryResponse,
  ChartWindow: WindowSummary,
  ChartWindows: ChartWindowsResponse,
  SongHistory: SongHistoryResponse,
  SongRegionHistory,
  SongChartPoint,
  Pipeline: PipelineResponse,
  HopCounts: HopCountsResponse,
  Reconciliation: ReconciliationResponse,
  PartitionLag: PartitionLagResponse,
} as const;

/** The security scheme of the routes that name an authorizer in the topology: an API key. */
export const securitySchemes = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    description: 'an API key (npm run keys): Authorization: Bearer <key>',
  },
} as const;

// The region rule is a refinement, which JSON Schema does not carry: the document is the same for any region list.
const regions = defaultRegions;

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

const error = (description: string): ZodOpenApiResponseObject => ({
  description,
  content: json(ErrorResponse),
});

/** What a route behind an authorizer answers besides its own (openapi-document.ts adds them). */
export const authorizerResponses: Readonly<Record<'401' | '403', ZodOpenApiResponseObject>> = {
  401: {
    description: 'no API key (Authorization: Bearer <key>)',
    headers: ChallengeHeaders,
    content: json(ErrorResponse),
  },
  403: error('the API key is not one in use'),
};

const badParameters = error('a parameter is missing or wrong: one error per parameter');

const unavailable = (what: string): ZodOpenApiResponseObject => ({
  description: `${what}; retry after Retry-After seconds`,
  headers: RetryHeaders,
  content: json(ErrorResponse),
});

const databaseUnavailable = unavailable('the database is out of reach or too slow');

/** A 200 with ETag, Cache-Control and Content-Length, and the 304 that answers a matching If-None-Match. */
const cacheable = (description: string, schema: z.ZodType) => ({
  200: { description, headers: CachedBodyHeaders, content: json(schema) },
  304: { description: 'the copy named by If-None-Match is still current: no body', headers: CacheHeaders },
});

export const httpApiOperations: Readonly<Record<RouteKey, ZodOpenApiOperationObject>> = {
  'POST /v1/plays': {
    operationId: 'postPlays',
    summary: 'Send plays: one event, or {"events": [...]} with 1 to 500',
    requestBody: { required: true, content: json(PlaysRequest) },
    responses: {
      202: {
        description: 'at least one event was valid, and the transport holds every valid one durably',
        content: json(PlaysAcceptedResponse),
      },
      400: {
        description: 'the body is not JSON, not an event or {"events": [...]}, or holds no valid event',
        content: json(PlaysRefusedResponse),
      },
      413: error(`the body is over ${MAX_BODY_BYTES} bytes`),
      415: error('the Content-Type is missing or not application/json (UTF-8)'),
      429: {
        description: 'the API key is over its rate limit; retry after Retry-After seconds',
        headers: RetryHeaders,
        content: json(RateLimitedResponse),
      },
      503: unavailable(
        'the transport did not confirm the events: none were taken, unless the message says they may have been (all)',
      ),
    },
  },
  'GET /v1/regions': {
    operationId: 'getRegions',
    summary: 'The region codes, and the code of the chart over all of them',
    responses: { 200: { description: 'the configured regions', content: json(RegionsResponse) } },
  },
  'GET /v1/charts': {
    operationId: 'getChart',
    summary: "A region's top 10 of a UTC hour or day, with each entry's movement",
    requestParams: { query: chartQuery(regions), header: ConditionalRequestHeaders },
    responses: {
      ...cacheable('the chart', ChartResponse),
      400: badParameters,
      404: error('that chart has not been computed'),
      503: databaseUnavailable,
    },
  },
  'GET /v1/charts/windows': {
    operationId: 'getChartWindows',
    summary: 'The windows of a region and period that have a chart, newest first, a page at a time',
    requestParams: { query: chartWindowsQuery(regions), header: ConditionalRequestHeaders },
    responses: {
      ...cacheable('a page of windows', ChartWindowsResponse),
      400: badParameters,
      503: databaseUnavailable,
    },
  },
  'GET /v1/songs/{song_id}': {
    operationId: 'getSongHistory',
    summary: "A song's catalog data and its recent chart history per region",
    requestParams: { path: songPath, query: songHistoryQuery(regions), header: ConditionalRequestHeaders },
    responses: {
      ...cacheable("the song's history", SongHistoryResponse),
      400: badParameters,
      404: error('neither the catalog nor any chart has the song'),
      503: databaseUnavailable,
    },
  },
  'GET /v1/pipeline': {
    operationId: 'getPipeline',
    summary: 'The counts at every hop of a UTC hour or day, per region and global, reconciled; and the lag',
    requestParams: { query: pipelineQuery, header: ConditionalRequestHeaders },
    responses: {
      ...cacheable('the counts of the window', PipelineResponse),
      400: badParameters,
      503: databaseUnavailable,
    },
  },
  'GET /v1/openapi.json': {
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    requestParams: { header: ConditionalRequestHeaders },
    responses: cacheable('the OpenAPI 3.1 document of the HTTP API', OpenApiDocumentResponse),
  },
};
