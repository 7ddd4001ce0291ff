/**
 * GET /v1/pipeline's response, declared once (docs/contracts.md, "GET /v1/pipeline"): the endpoint builds its body
 * as this type and the OpenAPI document is generated from it.
 */
import { z } from 'zod';
import { periods } from '../../domain/charts.ts';

const Count = z.int().nonnegative();

export const ReconciliationResponse = z
  .strictObject({
    ok: z.boolean(),
    mismatches: z.array(
      z.strictObject({
        equation: z.enum([
          'accepted = in_lake + dead_letters',
          'charted = in_lake - duplicates - short_plays',
        ]),
        left: z.int(),
        right: z.int(),
      }),
    ),
  })
  .describe('whether the counts account for each other; each failing equation with its two sides');

export const HopCountsResponse = z.strictObject({
  region: z.string().describe('a region code, or global: every region, and records that name none'),
  accepted: Count.describe('deliveries ingest acknowledged (202); an event sent twice counts twice'),
  rejected_at_ingest: z.strictObject({
    total: Count,
    by_reason: z
      .record(z.string(), Count)
      .describe('events by invalid_<field> of their first error (invalid_event: the event as a whole)'),
  }),
  in_lake: Count.describe('deliveries written to the lake (compaction’s removed duplicates included)'),
  rejected_in_lake: Count.describe('records the lake writers filed under rejects/, by the hour they arrived'),
  dead_letters: Count.describe('records sent to the dead-letter topic, each once'),
  duplicates: Count.describe('deliveries in the lake beyond the first of an event_id'),
  short_plays: Count.describe('distinct events under 30 s'),
  charted: Count.describe('eligible plays of the chart'),
  reconciled: ReconciliationResponse,
});

export const PartitionLagResponse = z.strictObject({
  consumer: z.string().describe('the consuming function (its consumer group)'),
  topic: z.string(),
  partition: z.int().nonnegative(),
  records: Count.describe('records not yet committed by the consumer'),
});

export const PipelineResponse = z.strictObject({
  period: z.enum(periods),
  window_start: z.iso.datetime(),
  lag_seconds: z.strictObject({
    lake: z
      .number()
      .nonnegative()
      .nullable()
      .describe('now minus the newest play any chart run saw in the lake'),
    live_chart: z
      .number()
      .nonnegative()
      .nullable()
      .describe(
        'now minus the newest play in the live tallies of any open or closing window; null while none',
      ),
    partitions: z
      .array(PartitionLagResponse)
      .nullable()
      .describe(
        'consumer lag per partition, in records; null where the transport has none (Kinesis) or it is out of reach',
      ),
  }),
  regions: z.array(HopCountsResponse),
});

export type PipelineBody = z.infer<typeof PipelineResponse>;
export type PartitionLagBody = z.infer<typeof PartitionLagResponse>;
