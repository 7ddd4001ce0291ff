export { ChartView } from './components/ChartView';
