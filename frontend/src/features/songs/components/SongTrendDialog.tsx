import { useEffect, useId, useRef, useState } from 'react';
import { Alert } from '../../../components/Alert';
import { EmptyState } from '../../../components/EmptyState';
import { Spinner } from '../../../components/Spinner';
import { formatCount, songTitle, windowName } from '../../../utils/format';
import { GLOBAL_REGION, regionLabel, regionTitle } from '../../../utils/regions';
import { type Period, windowStarts } from '../../../utils/windows';
import type { SongChartPoint, SongHistory } from '../api/schemas';
import { useSongHistory } from '../hooks/use-song-history';
import './SongTrendDialog.css';
import { SongTrendChart } from './SongTrendChart';

interface SongTrendDialogProps {
  songId: string;
  period: Period;
  /** The region on screen behind the dialog: the trend starts there. */
  region: string;
  onClose: () => void;
}

const SPAN: Record<Period, string> = { hour: 'the last 48 hours', day: 'the last 60 days' };

/** The song's best rank among `entries`; undefined when it was not in the top 10 at all. */
const peakRank = (entries: readonly SongChartPoint[]) =>
  entries.length > 0 ? Math.min(...entries.map((entry) => entry.rank)) : undefined;

/** What the line shows, in words: for the canvas's label and the summary under it. */
function describe(history: SongHistory, region: string, entries: readonly SongChartPoint[]): string {
  const where = regionTitle(region);
  const total = windowStarts(history.period, history.from, history.to).length;
  const unit = history.period === 'hour' ? 'hours' : 'days';
  const peak = peakRank(entries);
  const latest = entries.at(-1);
  if (peak === undefined || latest === undefined)
    return `Not in the ${where} top 10 in ${SPAN[history.period]}.`;
  return (
    `${where}: peak #${peak}, in the top 10 for ${entries.length} of ${total} ${unit}; ` +
    `latest #${latest.rank} (${windowName(history.period, latest.window_start)}, ${formatCount(latest.plays)} plays).`
  );
}

/**
 * A song's trend in a modal dialog: its rank (an inverted axis: #1 on top) and plays over the recent windows, one
 * region at a time. The native <dialog> keeps focus inside and closes on Escape; the URL keeps it shareable.
 */
export function SongTrendDialog({ songId, period, region, onClose }: SongTrendDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const history = useSongHistory(songId, period);
  const [chosen, setChosen] = useState<string | undefined>(undefined);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    // The title first, not the close button: a screen reader starts with what the dialog is about.
    element?.querySelector<HTMLElement>('.trend__title')?.focus();
    let closedByPage = false;
    const onDialogClose = () => {
      if (!closedByPage) onClose();
    };
    element?.addEventListener('close', onDialogClose);
    return () => {
      closedByPage = true;
      element?.removeEventListener('close', onDialogClose);
      element?.close();
    };
  }, [onClose]);

  const data = history.data;
  const shownRegion = chosen ?? region;
  const series = data?.regions.find((candidate) => candidate.region === shownRegion);
  const entries = series?.entries ?? [];
  const title = data ? songTitle(data) : songId;
  const summary = data ? describe(data, shownRegion, entries) : '';

  return (
    // A click on the backdrop (the dialog element itself, outside its content) closes it.
    // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard's way out is Escape, which <dialog> handles
    <dialog
      ref={dialog}
      className="trend"
      aria-labelledby={titleId}
      data-testid="song-trend"
      onClick={(event) => event.target === dialog.current && dialog.current?.close()}
    >
      <div className="trend__content">
        <header className="trend__header">
          <div>
            <p className="trend__kicker">Song trend · {period === 'hour' ? 'hourly' : 'daily'} charts</p>
            <h2 id={titleId} className="trend__title" tabIndex={-1} data-testid="trend-title">
              {title}
            </h2>
            {data && (
              <p className="trend__meta">
                {data.artist ?? 'Unknown artist'}
                {data.genre && <span className="tag">{data.genre}</span>}
              </p>
            )}
          </div>
          <button
            type="button"
            className="button button--ghost trend__close"
            onClick={() => dialog.current?.close()}
            data-testid="trend-close"
          >
            <span aria-hidden="true">✕</span>
            <span className="visually-hidden">Close the trend</span>
          </button>
        </header>

        {history.error && (
          <Alert title="Couldn’t load this song’s history." testId="trend-error">
            {history.error.message}
          </Alert>
        )}
        {data === undefined && !history.error && <Spinner label="Loading the song’s history…" />}
        {data === null && (
          <EmptyState title="No history for this song." testId="trend-empty">
            Neither the catalog nor any chart knows {songId}.
          </EmptyState>
        )}
        {data && (
          <>
            <fieldset className="trend__regions" data-testid="trend-regions">
              <legend className="visually-hidden">Region</legend>
              {data.regions.map(({ region: code, entries: regionEntries }) => {
                const peak = peakRank(regionEntries);
                return (
                  <button
                    key={code}
                    type="button"
                    className="button button--ghost trend__region"
                    aria-pressed={code === shownRegion}
                    onClick={() => setChosen(code)}
                    data-region={code}
                  >
                    {code === GLOBAL_REGION ? 'Global' : code.toUpperCase()}{' '}
                    <span className="trend__peak">{peak === undefined ? '–' : `#${peak}`}</span>
                  </button>
                );
              })}
            </fieldset>
            <p className="trend__summary" aria-live="polite" data-testid="trend-summary">
              {summary}
            </p>
            <SongTrendChart
              period={data.period}
              from={data.from}
              to={data.to}
              entries={entries}
              description={`Rank and plays of ${title} over ${SPAN[data.period]}. ${summary}`}
            />
            {entries.length > 0 && (
              <details className="trend__data">
                <summary>The numbers</summary>
                <table className="table">
                  <caption className="visually-hidden">
                    {title} in {regionLabel(shownRegion)}, {SPAN[data.period]}
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">{period === 'hour' ? 'Hour' : 'Day'}</th>
                      <th scope="col" className="table__num">
                        Rank
                      </th>
                      <th scope="col" className="table__num">
                        Plays
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {entries.map((entry) => (
                      <tr key={entry.window_start} data-testid="trend-row">
                        <td>{windowName(data.period, entry.window_start)}</td>
                        <td className="table__num" data-testid="trend-rank">
                          {entry.rank}
                        </td>
                        <td className="table__num" data-testid="trend-plays">
                          {formatCount(entry.plays)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            )}
          </>
        )}
      </div>
    </dialog>
  );
}
