import { useCallback } from 'react';
import { hrefWithQuery, navigateQuery, useUrlSearch } from '../../../lib/url-state';

/** The query parameter naming the song whose trend is open. */
const SONG = 'song';
/** Marks the history entry that opening a trend added, so that closing it can step back instead. */
const OPENED_HERE = 'songTrendOpenedHere';

const SONG_ID = /^.{1,64}$/u;

/**
 * The song whose trend is open (`?song=…`), if any. Opening adds a history entry, so the back button closes the
 * trend; closing a trend opened here steps back, and one opened from a link drops the parameter in place.
 */
export function useSongSelection() {
  const search = useUrlSearch();
  const requested = new URLSearchParams(search).get(SONG) ?? '';
  const songId = SONG_ID.test(requested) ? requested : undefined;

  const open = useCallback(
    (id: string) => navigateQuery({ [SONG]: id }, { state: { [OPENED_HERE]: true } }),
    [],
  );
  const close = useCallback(() => {
    const state: unknown = window.history.state;
    if (state && typeof state === 'object' && OPENED_HERE in state) window.history.back();
    else navigateQuery({ [SONG]: undefined }, { replace: true });
  }, []);
  // From the current query string, so a link carries the region, period and window on screen.
  const href = useCallback((id: string) => hrefWithQuery({ [SONG]: id }, search), [search]);
  return { songId, open, close, href };
}
