import { useSyncExternalStore } from 'react';

/**
 * The page's query string as the one store of what is on screen (region, period, window, song): a link
 * reproduces the view, and the browser's back and forward buttons step through what was looked at. The History
 * API is all it takes for one page with a few parameters; a router would add a dependency for nothing more.
 */

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const currentSearch = () => window.location.search;

/** The current query string (`?region=gb&period=day`), re-rendering on every change and on back/forward. */
export function useUrlSearch(): string {
  return useSyncExternalStore(subscribe, currentSearch);
}

export interface NavigateOptions {
  /** Replace the current history entry instead of adding one (corrections, not steps). */
  readonly replace?: boolean;
  /** Kept with the entry (History API state), e.g. to know that an entry was added by the page itself. */
  readonly state?: Record<string, unknown>;
}

export type QueryChanges = Readonly<Record<string, string | undefined>>;

/** The page's URL (with `search` as its query) with query parameters set (a string) or removed (undefined). */
function urlWith(changes: QueryChanges, search = window.location.search): URL {
  const url = new URL(window.location.href);
  url.search = search;
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  return url;
}

/** Changes query parameters, adding a history entry (unless told to replace, or nothing changed). */
export function navigateQuery(changes: QueryChanges, options: NavigateOptions = {}): void {
  const url = urlWith(changes);
  if (url.href === window.location.href) return;
  if (options.replace) window.history.replaceState(options.state ?? window.history.state, '', url);
  else window.history.pushState(options.state ?? null, '', url);
  for (const listener of listeners) listener();
}

/** The page's address with `search` (default: the current query) changed: for links a click follows in place. */
export function hrefWithQuery(changes: QueryChanges, search?: string): string {
  const url = urlWith(changes, search);
  return `${url.pathname}${url.search}`;
}
