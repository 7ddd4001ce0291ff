import { getConfig } from '../config/config';
import { ChartView } from '../features/charts';
import { AppProvider } from './provider';

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
            <p className="app-header__tagline">Live top-10 charts per region, per UTC hour and day</p>
          </div>
        </div>
      </header>
      <main className="page">
        <ChartView />
      </main>
      <footer className="app-footer">
        Times are in UTC unless marked otherwise · refreshes every {getConfig().refreshSeconds} s
      </footer>
    </AppProvider>
  );
}
