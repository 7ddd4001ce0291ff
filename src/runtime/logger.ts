import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger for the whole process; Lambda adds its context through the middleware. */
export const logger = new Logger({ serviceName: 'top-songs' });
