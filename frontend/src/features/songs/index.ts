import { lazy } from 'react';

/** Loaded when a trend is first opened: most visits never open one. */
export const SongTrendDialog = lazy(() =>
  import('./components/SongTrendDialog').then((module) => ({ default: module.SongTrendDialog })),
);
export { useSongSelection } from './hooks/use-song-selection';
