import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../lib/api-client';

export interface PollingState<T> {
  /** The last successful result for the current key; undefined until the first one arrives. */
  data: T | undefined;
  /** The error of the latest attempt, cleared by the next success. */
  error: ApiError | undefined;
  /** When the last successful result arrived. */
  updatedAt: Date | undefined;
  /** A request is in flight. */
  loading: boolean;
}

interface KeyedState<T> extends PollingState<T> {
  key: string;
}

const initial = <T>(key: string | null): KeyedState<T> => ({
  key: key ?? '',
  data: undefined,
  error: undefined,
  updatedAt: undefined,
  loading: key !== null,
});

const asApiError = (error: unknown) =>
  error instanceof ApiError ? error : new ApiError('network', 0, 'Something went wrong loading data.');

/**
 * Calls `fetcher` now, whenever `key` changes, and `intervalMs` after each completed call; a `null` key
 * fetches nothing (the data is not needed now). A failed call keeps the last good data (for the same key) and
 * reports the error alongside it.
 */
export function usePolling<T>(
  key: string | null,
  fetcher: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
): PollingState<T> & { refresh: () => void } {
  const [state, setState] = useState<KeyedState<T>>(() => initial(key));
  const fetcherRef = useRef(fetcher);
  const refreshRef = useRef<() => void>(() => {});

  useEffect(() => {
    fetcherRef.current = fetcher;
  });

  useEffect(() => {
    if (key === null) {
      refreshRef.current = () => {};
      return;
    }
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let sequence = 0;

    const run = async () => {
      clearTimeout(timer);
      const current = ++sequence;
      setState((previous) => (previous.key === key ? { ...previous, loading: true } : initial(key)));
      try {
        const data = await fetcherRef.current(controller.signal);
        if (controller.signal.aborted || current !== sequence) return;
        setState({ key, data, error: undefined, updatedAt: new Date(), loading: false });
      } catch (error) {
        if (controller.signal.aborted || current !== sequence) return;
        setState((previous) => ({ ...previous, key, error: asApiError(error), loading: false }));
      }
      timer = setTimeout(run, intervalMs);
    };

    refreshRef.current = () => void run();
    void run();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [key, intervalMs]);

  const refresh = useCallback(() => refreshRef.current(), []);
  const visible = state.key === key ? state : initial<T>(key);
  return { ...visible, refresh };
}
