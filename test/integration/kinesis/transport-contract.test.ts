/**
 * The transport contract against a real Kinesis endpoint (kinesis-mock from `npm run stack:up -- kinesis`), on
 * streams of each test's own, deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DeleteStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe } from 'vitest';
import { KinesisTransport } from '../../../src/adapters/transport/kinesis/transport.ts';
import { topics } from '../../../src/topology.ts';
import { makeTempDir } from '../../support/temp-dir.ts';
import { describeTransportContract } from '../../support/transport-contract.ts';

const endpoint = process.env.AWS_ENDPOINT_URL_KINESIS ?? process.env.AWS_ENDPOINT_URL;
const configured = Boolean(process.env.KINESIS_STREAM && endpoint);

describe.skipIf(!configured)(
  'with Kinesis (KINESIS_STREAM and AWS_ENDPOINT_URL_KINESIS unset: npm run stack:up -- kinesis)',
  () => {
    describeTransportContract('KinesisTransport', async () => {
      const stream = `${process.env.KINESIS_STREAM}-test-contract-${randomUUID().slice(0, 8)}`;
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
        headers: 'envelope',
        consecutiveOffsets: true,
        quietMs: 600,
        cleanup: async () => {
          await checkpoints.remove();
          const client = new KinesisClient({ requestHandler: new NodeHttpHandler() });
          for (const { stream: name } of streams) {
            await client.send(new DeleteStreamCommand({ StreamName: name })).catch(() => {});
          }
          client.destroy();
        },
      };
    });
  },
);
