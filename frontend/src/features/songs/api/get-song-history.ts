import { apiGet, isApiError } from '../../../lib/api-client';
import type { Period } from '../../../utils/windows';
import { type SongHistory, SongHistorySchema } from './schemas';

/** A song's recent chart history in every region, or `null` when no catalog or chart knows it (HTTP 404). */
export async function getSongHistory(
  songId: string,
  period: Period,
  signal?: AbortSignal,
): Promise<SongHistory | null> {
  try {
    return await apiGet(`/v1/songs/${encodeURIComponent(songId)}`, SongHistorySchema, {
      query: { period },
      signal,
    });
  } catch (error) {
    if (isApiError(error) && error.kind === 'http' && error.status === 404) return null;
    throw error;
  }
}
