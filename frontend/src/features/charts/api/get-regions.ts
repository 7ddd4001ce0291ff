import { apiGet } from '../../../lib/api-client';
import { RegionsResponseSchema } from './schemas';

/** The region codes the API charts, in the API's order (without `global`). */
export async function getRegions(signal?: AbortSignal): Promise<string[]> {
  const body = await apiGet('/v1/regions', RegionsResponseSchema, { signal });
  return body.regions;
}
