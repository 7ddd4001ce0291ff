import { type FormEvent, useState } from 'react';
import { Field } from '../../../components/Field';
import { isoDate, windowName } from '../../../utils/format';
import { type Period, shiftWindow } from '../../../utils/windows';
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

/**
 * Steps through a region's chart history: the window before or after, any date (and hour), back to the latest;
 * and a strip of the recent windows. Every step is a link-able URL, so the browser's back button steps back.
 */
export function HistoryPicker({ period, shown, live, windows, onSelect }: HistoryPickerProps) {
  // The form starts at the window on screen, and starts over when another one is shown.
  const [date, setDate] = useState(() => (shown ? isoDate(new Date(shown)) : ''));
  const [hour, setHour] = useState(() => (shown ? new Date(shown).getUTCHours() : 0));
  const [formFor, setFormFor] = useState(shown);
  if (formFor !== shown) {
    setFormFor(shown);
    if (shown) {
      setDate(isoDate(new Date(shown)));
      setHour(new Date(shown).getUTCHours());
    }
  }

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

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!/^\d{4}-\d\d-\d\d$/.test(date)) return;
    onSelect(`${date}T${period === 'hour' ? pad(hour) : '00'}:00:00.000Z`);
  };

  return (
    <nav className="history" aria-label="Chart history" data-testid="history-picker">
      <div className="history__controls">
        <StepButton direction="previous" period={period} target={previous} onSelect={onSelect} />
        <form className="history__form" onSubmit={submit} data-testid="history-form">
          <Field label="Date (UTC)">
            {(id) => (
              <input
                id={id}
                className="input"
                type="date"
                value={date}
                min={noOlder && oldest ? isoDate(new Date(oldest)) : undefined}
                max={latest ? isoDate(new Date(latest)) : undefined}
                onChange={(event) => setDate(event.target.value)}
                required
                data-testid="history-date"
              />
            )}
          </Field>
          {period === 'hour' && (
            <Field label="Hour (UTC)">
              {(id) => (
                <select
                  id={id}
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
              )}
            </Field>
          )}
          <button type="submit" className="button button--ghost" data-testid="history-go">
            Show
          </button>
        </form>
        <StepButton direction="next" period={period} target={next} onSelect={onSelect} />
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

interface StepButtonProps {
  direction: 'previous' | 'next';
  period: Period;
  /** The window a click shows; undefined: there is none that way. */
  target: string | undefined;
  onSelect: (start: string) => void;
}

/** One window back or forward; its accessible name says which window it opens. */
function StepButton({ direction, period, target, onSelect }: StepButtonProps) {
  const name = `${direction === 'previous' ? 'Previous' : 'Next'} ${period}`;
  return (
    <button
      type="button"
      className="button button--ghost"
      disabled={!target}
      onClick={() => target && onSelect(target)}
      aria-label={target ? `${name}: ${windowName(period, target)}` : name}
      data-testid={`history-${direction}`}
    >
      {direction === 'previous' && <span aria-hidden="true">‹</span>}
      {direction === 'previous' ? 'Previous' : 'Next'}
      {direction === 'next' && <span aria-hidden="true">›</span>}
    </button>
  );
}
