/**
 * GET /v1/pipeline as the dashboard reads it: the server's shape (src/use-cases/pipeline-api/schemas.ts), checked
 * against the OpenAPI document by lib/api-contract.ts; unknown fields pass, so a newer API does not break it.
 */
import { z } from 'zod';
import { periods } from '../../../utils/windows.ts';

const Count = z.int().nonnegative();

export const ReconciliationSchema = z.object({
  ok: z.boolean(),
  mismatches: z.array(
    z.object({
      equation: z.enum(['accepted = in_lake + dead_letters', 'charted = in_lake - duplicates - short_plays']),
      left: z.int(),
      right: z.int(),
    }),
  ),
});

export const HopCountsSchema = z.object({
  region: z.string(),
  accepted: Count,
  rejected_at_ingest: z.object({ total: Count, by_reason: z.record(z.string(), Count) }),
  in_lake: Count,
  rejected_in_lake: Count,
  dead_letters: Count,
  duplicates: Count,
  short_plays: Count,
  charted: Count,
  reconciled: ReconciliationSchema,
});
export type HopCounts = z.infer<typeof HopCountsSchema>;

export const PartitionLagSchema = z.object({
  consumer: z.string(),
  topic: z.string(),
  partition: z.int().nonnegative(),
  records: Count,
});
export type PartitionLag = z.infer<typeof PartitionLagSchema>;

export const PipelineSchema = z.object({
  period: z.enum(periods),
  window_start: z.iso.datetime(),
  lag_seconds: z.object({
    lake: z.number().nonnegative().nullable(),
    live_chart: z.number().nonnegative().nullable(),
    partitions: z.array(PartitionLagSchema).nullable(),
  }),
  regions: z.array(HopCountsSchema),
});
export type Pipeline = z.infer<typeof PipelineSchema>;
