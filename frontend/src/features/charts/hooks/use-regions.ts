import { usePolling } from '../../../hooks/use-polling';
import { getRegions } from '../api/get-regions';

const REGIONS_REFRESH_MS = 10 * 60 * 1000;

/** The regions the API charts, re-read every few minutes so new regions appear without a reload. */
export function useRegions() {
  return usePolling('regions', getRegions, REGIONS_REFRESH_MS);
}
