import { apiGetOrNull } from '../../../lib/api-client';
import type { Period } from '../../../utils/windows';
import { type SongHistory, SongHistorySchema } from './schemas';

/** A song's recent chart history in every region, or `null` when no catalog or chart knows it (HTTP 404). */
export function getSongHistory(
  songId: string,
  period: Period,
  signal?: AbortSignal,
): Promise<SongHistory | null> {
  return apiGetOrNull(`/v1/songs/${encodeURIComponent(songId)}`, SongHistorySchema, {
    query: { period },
    signal,
  });
}
