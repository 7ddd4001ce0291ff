export { PipelineView } from './components/PipelineView';
