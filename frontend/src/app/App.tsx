import { Suspense, useMemo } from 'react';
import { Spinner } from '../components/Spinner';
import { getConfig } from '../config/config';
import { ChartView, type SongLinks, useChartSelection } from '../features/charts';
import { SongTrendDialog, useSongSelection } from '../features/songs';
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

export function App() {
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
        </div>
      </header>
      <main className="page">
        <Dashboard />
      </main>
      <footer className="app-footer">
        Times are in UTC unless marked otherwise · refreshes every {getConfig().refreshSeconds} s
      </footer>
    </AppProvider>
  );
}
