import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { type ConnectionProbe, fail, ok, type ProbeOutcome } from '../../ports/connection-probe.ts';
import { kinesisClient } from '../transport/kinesis/connection.ts';
import { awsRefusal } from './aws-errors.ts';

export interface KinesisProbeOptions {
  /** The streams of the topology's topics, with the shards each is created with. */
  readonly streams: readonly { readonly stream: string; readonly shards: number }[];
  readonly region: string;
  /** AWS_ENDPOINT_URL_KINESIS (or AWS_ENDPOINT_URL), for the target column; the SDK reads it itself. */
  readonly endpoint: string | undefined;
  readonly timeoutMs: number;
}

/** The streams exist and are ACTIVE (missing ones are reported: the transport creates them when it opens). */
export function kinesisProbe(options: KinesisProbeOptions): ConnectionProbe {
  const where = options.endpoint ?? `Kinesis in ${options.region}`;
  return {
    service: 'kinesis',
    target: `${options.streams.map(({ stream }) => stream).join(', ')} at ${where}`,
    silentHint: `is the Kinesis endpoint running? npm run services:up -- kinesis, or check AWS_ENDPOINT_URL_KINESIS`,
    check: async (signal) => {
      const client = kinesisClient(options.region, { requestTimeoutMs: options.timeoutMs, maxAttempts: 1 });
      try {
        const states = await Promise.all(
          options.streams.map(({ stream, shards }) => describe(client, stream, shards, signal)),
        );
        const broken = states.find((state) => state.outcome)?.outcome;
        return broken ?? ok(states.map((state) => state.text).join(', '));
      } catch (error) {
        return awsRefusal(error, {
          service: 'Kinesis',
          setting: 'AWS_ENDPOINT_URL_KINESIS',
          start: 'npm run services:up -- kinesis',
        });
      } finally {
        client.destroy();
      }
    },
  };
}

async function describe(
  client: KinesisClient,
  stream: string,
  shards: number,
  signal: AbortSignal,
): Promise<{ text: string; outcome?: ProbeOutcome }> {
  try {
    const answer = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }), {
      abortSignal: signal,
    });
    const summary = answer.StreamDescriptionSummary;
    const status = summary?.StreamStatus ?? 'UNKNOWN';
    const open = summary?.OpenShardCount ?? 0;
    const differs = open === shards ? '' : ` (topology: ${shards})`;
    const text = `${stream} ${status} ×${open}${differs}`;
    if (status === 'ACTIVE' || status === 'UPDATING') return { text };
    return {
      text,
      outcome: fail(
        `stream ${stream} is ${status}`,
        status === 'CREATING'
          ? `stream ${stream} is still being created: check again in a moment`
          : `stream ${stream} is ${status}: wait until it is gone and start npm start again (it creates it), or set KINESIS_STREAM to another stream`,
      ),
    };
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      return { text: `${stream} missing (created when the transport opens)` };
    }
    throw error;
  }
}
