import { useCallback } from 'react';
import { getConfig } from '../../../config/config';
import { usePolling } from '../../../hooks/use-polling';
import type { Period } from '../../../utils/windows';
import { getSongHistory } from '../api/get-song-history';

/** A song's chart history over the last 48 hours or 60 days, refreshed with the charts. */
export function useSongHistory(songId: string, period: Period) {
  const fetcher = useCallback(
    (signal: AbortSignal) => getSongHistory(songId, period, signal),
    [songId, period],
  );
  return usePolling(`${songId}|${period}`, fetcher, getConfig().refreshSeconds * 1000);
}
