import { type FormEvent, useEffect, useId, useState } from 'react';
import { formatWindow, isoDate } from '../../../utils/format';
import { type Period, shiftWindow, windowLength } from '../../../utils/windows';
import type { ChartWindows } from '../api/schemas';
import './HistoryPicker.css';
import { WindowStrip } from './WindowStrip';

interface HistoryPickerProps {
  period: Period;
  /** The window on screen: the one asked for, or the latest; undefined until known. */
  shown: string | undefined;
  /** Whether the view is the default, live one (no window asked for). */
  live: boolean;
  /** The recent windows that have a chart, newest first. */
  windows: ChartWindows | undefined;
  onSelect: (start: string | undefined) => void;
}

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);
const pad = (value: number) => String(value).padStart(2, '0');

const windowLabel = (period: Period, start: string) => {
  const from = new Date(start);
  return formatWindow(period, from, new Date(from.getTime() + windowLength(period)));
};

/**
 * Steps through a region's chart history: the window before or after, any date (and hour), back to the latest;
 * and a strip of the recent windows. Every step is a link-able URL, so the browser's back button steps back.
 */
export function HistoryPicker({ period, shown, live, windows, onSelect }: HistoryPickerProps) {
  const dateId = useId();
  const hourId = useId();
  const [date, setDate] = useState('');
  const [hour, setHour] = useState(0);
  useEffect(() => {
    if (!shown) return;
    setDate(isoDate(new Date(shown)));
    setHour(new Date(shown).getUTCHours());
  }, [shown]);

  const list = windows?.windows ?? [];
  const latest = list[0]?.window_start;
  const oldest = list.at(-1)?.window_start;
  // With every window on this page (no older page), nothing is before the oldest one.
  const noOlder = windows !== undefined && windows.next_before === null;
  const previous =
    shown && !(noOlder && (oldest === undefined || shown <= oldest))
      ? shiftWindow(period, shown, -1)
      : undefined;
  const next =
    shown && !live && (latest === undefined || shown < latest) ? shiftWindow(period, shown, 1) : undefined;
  const unit = period === 'hour' ? 'hour' : 'day';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!/^\d{4}-\d\d-\d\d$/.test(date)) return;
    onSelect(`${date}T${period === 'hour' ? pad(hour) : '00'}:00:00.000Z`);
  };

  return (
    <nav className="history" aria-label="Chart history" data-testid="history-picker">
      <div className="history__controls">
        <button
          type="button"
          className="button button--ghost"
          disabled={!previous}
          onClick={() => previous && onSelect(previous)}
          aria-label={previous ? `Previous ${unit}: ${windowLabel(period, previous)}` : `Previous ${unit}`}
          data-testid="history-previous"
        >
          <span aria-hidden="true">‹</span> Previous
        </button>
        <form className="history__form" onSubmit={submit} data-testid="history-form">
          <div className="field">
            <label className="field__label" htmlFor={dateId}>
              Date (UTC)
            </label>
            <input
              id={dateId}
              className="input"
              type="date"
              value={date}
              min={noOlder && oldest ? isoDate(new Date(oldest)) : undefined}
              max={latest ? isoDate(new Date(latest)) : undefined}
              onChange={(event) => setDate(event.target.value)}
              required
              data-testid="history-date"
            />
          </div>
          {period === 'hour' && (
            <div className="field">
              <label className="field__label" htmlFor={hourId}>
                Hour (UTC)
              </label>
              <select
                id={hourId}
                className="select select--narrow"
                value={hour}
                onChange={(event) => setHour(Number(event.target.value))}
                data-testid="history-hour"
              >
                {HOURS.map((value) => (
                  <option key={value} value={value}>
                    {pad(value)}:00
                  </option>
                ))}
              </select>
            </div>
          )}
          <button type="submit" className="button button--ghost" data-testid="history-go">
            Show
          </button>
        </form>
        <button
          type="button"
          className="button button--ghost"
          disabled={!next}
          onClick={() => next && onSelect(next)}
          aria-label={next ? `Next ${unit}: ${windowLabel(period, next)}` : `Next ${unit}`}
          data-testid="history-next"
        >
          Next <span aria-hidden="true">›</span>
        </button>
        {!live && (
          <button
            type="button"
            className="button button--accent history__latest"
            onClick={() => onSelect(undefined)}
            data-testid="history-latest"
          >
            Latest
          </button>
        )}
      </div>
      {list.length > 0 && <WindowStrip period={period} windows={list} shown={shown} onSelect={onSelect} />}
    </nav>
  );
}
