/**
 * Correlation on the embedded transport: each ingest request's id (answered in `apigw-requestid`) reaches the
 * lake-writer's log line of the batch that wrote its events (test/support/correlation.ts).
 */
import { describe, it } from 'vitest';
import { captureLogLines, expectCorrelated } from '../support/correlation.ts';

captureLogLines();

describe('the ingest request id in the lake-writer’s logs', () => {
  it('travels through the embedded transport as a record header', async () => {
    await expectCorrelated({});
  });
});
