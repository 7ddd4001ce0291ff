export { ChartView } from './components/ChartView';
export type { SongLinks } from './components/SongLink';
export { useChartSelection } from './hooks/use-chart-selection';
