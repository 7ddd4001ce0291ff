import { chartJobHandler } from '../shared/chart-job.ts';

export const handler = chartJobHandler('hour');
