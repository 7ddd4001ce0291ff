import { type KeyboardEvent, useEffect, useRef } from 'react';
import { formatCount, formatWindowShort, windowName } from '../../../utils/format';
import { type Period, shiftWindow, windowStarts } from '../../../utils/windows';
import type { WindowSummary } from '../api/schemas';

interface WindowStripProps {
  period: Period;
  /** Windows that have a chart, newest first. */
  windows: readonly WindowSummary[];
  shown: string | undefined;
  onSelect: (start: string | undefined) => void;
}

/** A tick label under the first hour of each quarter day, and under each Monday. */
function tickLabel(period: Period, start: Date): string | undefined {
  if (period === 'hour') {
    if (start.getUTCHours() % 6 !== 0) return undefined;
    return start.getUTCHours() === 0 ? formatWindowShort('day', start) : formatWindowShort('hour', start);
  }
  return start.getUTCDay() === 1 ? formatWindowShort('day', start) : undefined;
}

/**
 * The recent windows as a row of bars (height: eligible plays), oldest to newest, a gap where a window has no
 * chart: where the traffic was, and a way to jump there. One tab stop; the arrow keys move along it.
 */
export function WindowStrip({ period, windows, shown, onSelect }: WindowStripProps) {
  const list = useRef<HTMLOListElement>(null);
  const byStart = new Map(windows.map((window) => [window.window_start, window]));
  const newest = windows[0]?.window_start ?? '';
  const oldest = windows.at(-1)?.window_start ?? newest;
  const starts = windowStarts(period, oldest, shiftWindow(period, newest, 1));
  const most = Math.max(1, ...windows.map((window) => window.eligible_plays));
  const focusable = shown && byStart.has(shown) ? shown : newest;

  useEffect(() => {
    // Bring the shown window into view inside the strip, without scrolling the page.
    const container = list.current;
    const current = shown && container?.querySelector<HTMLElement>(`[data-window="${shown}"]`);
    if (!container || !current) return;
    container.scrollLeft = current.offsetLeft - container.clientWidth / 2 + current.clientWidth / 2;
  }, [shown]);

  const onKeyDown = (event: KeyboardEvent<HTMLOListElement>) => {
    const step = { ArrowLeft: -1, ArrowRight: 1 }[event.key];
    if (!step) return;
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const target = buttons[at + step];
    if (at < 0 || !target) return;
    event.preventDefault();
    target.focus();
  };

  return (
    <ol
      className="strip"
      ref={list}
      onKeyDown={onKeyDown}
      aria-label={`Recent ${period === 'hour' ? 'hours' : 'days'}, by eligible plays`}
      data-testid="window-strip"
    >
      {starts.map((start) => {
        const window = byStart.get(start);
        const label = tickLabel(period, new Date(start));
        const name = windowName(period, start);
        return (
          <li key={start} className="strip__slot">
            {window ? (
              <button
                type="button"
                className={`strip__window strip__window--${window.status}`}
                aria-current={start === shown ? 'true' : undefined}
                aria-label={`${name}, ${window.status}, ${formatCount(window.eligible_plays)} plays`}
                title={`${name} · ${formatCount(window.eligible_plays)} plays · ${window.status}`}
                tabIndex={start === focusable ? 0 : -1}
                onClick={() => onSelect(start)}
                data-window={start}
              >
                <svg
                  className="strip__bar"
                  viewBox="0 0 10 100"
                  preserveAspectRatio="none"
                  aria-hidden="true"
                >
                  <rect x="0" width="10" y={100 - barHeight(window.eligible_plays, most)} height="100" />
                </svg>
              </button>
            ) : (
              <span className="strip__gap" title={`${name}: no chart`} />
            )}
            <span className="strip__tick" aria-hidden="true">
              {label ?? ''}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** At least a sliver, so a quiet window is still a target. */
const barHeight = (plays: number, most: number) => Math.max(6, Math.round((plays / most) * 100));
