import { apiGet } from '../../../lib/api-client';
import type { Period } from '../../../utils/windows';
import { type Pipeline, PipelineSchema } from './schemas';

/** The counts at every hop of a window (without `start`, the window open now). */
export function getPipeline(
  period: Period,
  start: string | undefined,
  signal?: AbortSignal,
): Promise<Pipeline> {
  return apiGet('/v1/pipeline', PipelineSchema, { query: { period, start }, signal });
}
