/** `npm run doctor` against a real Kinesis endpoint (KINESIS_STREAM, AWS_ENDPOINT_URL_KINESIS): the streams are ACTIVE. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../../devkit/temp-dir.ts';
import { KinesisTransport } from '../../../src/adapters/transport/kinesis/transport.ts';
import { kinesisStreams } from '../../../src/wiring/connections.ts';
import { parseTable, rowOf, runDoctor } from '../../support/doctor.ts';
import { deleteStreams, kinesisEndpoint, kinesisSkipped, testStream } from './kinesis-streams.ts';

describe.skipIf(kinesisSkipped())(
  'npm run doctor with Kinesis (KINESIS_STREAM and AWS_ENDPOINT_URL_KINESIS unset: npm run services:up -- kinesis)',
  () => {
    const stream = testStream('doctor');
    let temp: TempDir;

    beforeAll(async () => {
      temp = await makeTempDir('doctor-kinesis');
    });
    afterAll(async () => {
      await deleteStreams([stream, `${stream}-dlq`]);
      await temp?.remove();
    });

    it('reports the streams missing before the transport opens, then ACTIVE with their shards', async () => {
      const env = { TOP_SONGS_DATA_DIR: temp.path, KINESIS_STREAM: stream };
      const before = await runDoctor(env);
      expect(before.code, before.stdout + before.stderr).toBe(0);
      expect(rowOf(parseTable(before.stdout), 'kinesis')).toMatchObject({
        status: 'ok',
        details: `${stream} missing (created when the transport opens), ${stream}-dlq missing (created when the transport opens)`,
      });

      // The streams as npm start creates them.
      const transport = await KinesisTransport.open({
        streams: kinesisStreams(stream, ''),
        checkpointDir: temp.path,
        region: process.env.AWS_REGION ?? 'us-east-1',
      });
      await transport.close();

      const after = await runDoctor(env);
      expect(after.code, after.stdout + after.stderr).toBe(0);
      expect(rowOf(parseTable(after.stdout), 'kinesis')).toMatchObject({
        target: `${stream}, ${stream}-dlq at ${kinesisEndpoint}`,
        status: 'ok',
        details: `${stream} ACTIVE ×3, ${stream}-dlq ACTIVE ×1`,
      });
    });
  },
);
