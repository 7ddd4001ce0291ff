import { useEffect, useState } from 'react';

/** The time, updated every `intervalMs` while the component is shown: for ages that count up ("3 s ago"). */
export function useNow(intervalMs: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
