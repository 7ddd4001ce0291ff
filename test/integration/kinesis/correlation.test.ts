/**
 * Correlation on a real Kinesis endpoint (kinesis-mock): each ingest request's id travels in the records' headers
 * envelope (src/adapters/transport/kinesis/envelope.ts) to the lake-writer's log line of the batch that wrote its
 * events (test/support/correlation.ts). On streams of this run's own, deleted afterwards.
 */
import { afterAll, describe, it } from 'vitest';
import { captureLogLines, expectCorrelated } from '../../support/correlation.ts';
import { deleteStreams, kinesisSkipped, testStream } from './kinesis-streams.ts';

captureLogLines();

describe.skipIf(kinesisSkipped())('the ingest request id in the lake-writer’s logs, with Kinesis', () => {
  const stream = testStream('correlation');
  afterAll(async () => deleteStreams([stream, `${stream}-dlq`]));

  it('travels through Kinesis in the records’ headers envelope', async () => {
    await expectCorrelated({
      KINESIS_STREAM: stream,
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    });
  });
});
