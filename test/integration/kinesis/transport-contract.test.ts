/**
 * The transport contract against a real Kinesis endpoint (kinesis-mock from `npm run services:up -- kinesis`), on
 * streams of each test's own, deleted afterwards.
 */
import { join } from 'node:path';
import { describe } from 'vitest';
import { makeTempDir } from '../../../devkit/temp-dir.ts';
import { KinesisTransport } from '../../../src/adapters/transport/kinesis/transport.ts';
import { topics } from '../../../src/topology.ts';
import { describeTransportContract } from '../../support/transport-contract.ts';
import { deleteStreams, kinesisSkipped, testStream } from './kinesis-streams.ts';

describe.skipIf(kinesisSkipped())(
  'with Kinesis (KINESIS_STREAM and AWS_ENDPOINT_URL_KINESIS unset: npm run services:up -- kinesis)',
  () => {
    describeTransportContract('KinesisTransport', async () => {
      const stream = testStream('contract');
      const streams = [
        { topic: topics.plays.name, stream, shards: topics.plays.partitions },
        { topic: topics.deadLetters.name, stream: `${stream}-dlq`, shards: topics.deadLetters.partitions },
      ];
      const checkpoints = await makeTempDir('kinesis-contract');
      return {
        open: () =>
          KinesisTransport.open({
            streams,
            checkpointDir: join(checkpoints.path, 'checkpoints'),
            region: process.env.AWS_REGION ?? 'us-east-1',
          }),
        topics: { plays: topics.plays.name, deadLetters: topics.deadLetters.name },
        group: (name) => name,
        missingKey: '-',
        consecutiveOffsets: true,
        quietMs: 600,
        cleanup: async () => {
          await checkpoints.remove();
          await deleteStreams(streams.map((binding) => binding.stream));
        },
      };
    });
  },
);
