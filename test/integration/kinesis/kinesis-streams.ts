/** Shared by the tests against a real Kinesis endpoint (`npm run services:up -- kinesis` prints the settings). */
import { randomUUID } from 'node:crypto';
import { DeleteStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { skipWithout } from '../../../devkit/required.ts';

/** The Kinesis endpoint the tests use. */
export const kinesisEndpoint = process.env.AWS_ENDPOINT_URL_KINESIS ?? process.env.AWS_ENDPOINT_URL;
/** Whether the Kinesis tests skip: KINESIS_STREAM or an endpoint is unset, and TOP_SONGS_REQUIRE_KINESIS=1 does not forbid it. */
export const kinesisSkipped = () =>
  skipWithout(
    'KINESIS',
    process.env.KINESIS_STREAM && kinesisEndpoint,
    'KINESIS_STREAM or AWS_ENDPOINT_URL_KINESIS is not set (`npm run services:up -- kinesis` prints them)',
  );

/** A stream name (and, with `-dlq`, its dead-letter stream's) of this run's own. */
export const testStream = (name: string) =>
  `${process.env.KINESIS_STREAM}-test-${name}-${randomUUID().slice(0, 8)}`;

/** Deletes the streams, those already gone too. */
export async function deleteStreams(streams: readonly string[]): Promise<void> {
  const client = new KinesisClient({ requestHandler: new NodeHttpHandler() });
  for (const stream of streams) {
    await client.send(new DeleteStreamCommand({ StreamName: stream })).catch(() => {});
  }
  client.destroy();
}
