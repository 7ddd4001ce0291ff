import { Suspense, useMemo } from 'react';
import { Spinner } from '../components/Spinner';
import { getConfig } from '../config/config';
import { ChartView, type SongLinks, useChartSelection } from '../features/charts';
import { PipelineView } from '../features/pipeline';
import { SongTrendDialog, useSongSelection } from '../features/songs';
import { hrefWithQuery, navigateQuery, useUrlSearch } from '../lib/url-state';
import './App.css';
import { AppProvider } from './provider';

/** The page: the charts, and a song's trend over them when one is open (both kept in the URL). */
function Dashboard() {
  const { region, period } = useChartSelection();
  const song = useSongSelection();
  const songLinks: SongLinks = useMemo(() => ({ href: song.href, open: song.open }), [song.href, song.open]);
  return (
    <>
      <ChartView songLinks={songLinks} />
      {song.songId && (
        <Suspense fallback={<Spinner label="Opening the song’s trend…" />}>
          <SongTrendDialog
            key={`${song.songId}|${period}`}
            songId={song.songId}
            period={period}
            region={region}
            onClose={song.close}
          />
        </Suspense>
      )}
    </>
  );
}

type View = 'charts' | 'pipeline';

/** `?view=pipeline` shows the pipeline's counts; anything else, the charts. */
function useView(): View {
  return new URLSearchParams(useUrlSearch()).get('view') === 'pipeline' ? 'pipeline' : 'charts';
}

/** The views, as links that keep the rest of the query (region, period, window). */
function Navigation({ view }: { view: View }) {
  const link = (target: View, label: string) => (
    <a
      className="app-nav__link"
      href={hrefWithQuery({ view: target === 'charts' ? undefined : target })}
      aria-current={view === target ? 'page' : undefined}
      data-testid={`nav-${target}`}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigateQuery({ view: target === 'charts' ? undefined : target });
      }}
    >
      {label}
    </a>
  );
  return (
    <nav className="app-nav" aria-label="Views">
      {link('charts', 'Charts')}
      {link('pipeline', 'Pipeline')}
    </nav>
  );
}

export function App() {
  const view = useView();
  return (
    <AppProvider>
      <header className="app-header">
        <div className="app-header__inner">
          <span className="app-header__logo" aria-hidden="true">
            ♫
          </span>
          <div>
            <h1 className="app-header__title">Top Songs</h1>
            <p className="app-header__tagline">
              Top-10 charts per region, per UTC hour and day: live and history
            </p>
          </div>
          <Navigation view={view} />
        </div>
      </header>
      <main className="page">{view === 'pipeline' ? <PipelineView /> : <Dashboard />}</main>
      <footer className="app-footer">
        Times are in UTC unless marked otherwise · refreshes every {getConfig().refreshSeconds} s
      </footer>
    </AppProvider>
  );
}
