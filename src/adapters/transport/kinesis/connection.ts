/** How the Kinesis transport reaches its streams: the client, the streams of its topics, and its errors. */
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { TransportUnavailableError } from '../../../ports/transport.ts';

/** One topic of the topology, carried by one Kinesis data stream. */
export interface StreamBinding {
  readonly topic: string;
  readonly stream: string;
  /** Shards to create the stream with when it is missing (the topic's partition count). */
  readonly shards: number;
}

/**
 * A client over HTTP/1.1, the endpoint from AWS_ENDPOINT_URL (the SDK reads it): the transport's, and with a
 * shorter request timeout and a single attempt, the doctor's.
 */
export function kinesisClient(
  region: string,
  { requestTimeoutMs = 10_000, maxAttempts = 3 }: { requestTimeoutMs?: number; maxAttempts?: number } = {},
): KinesisClient {
  return new KinesisClient({
    region,
    // HTTP/1.1: the SDK's default HTTP/2 handler fails against kinesis-mock (docs/services.md).
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: requestTimeoutMs }),
    maxAttempts,
  });
}

/** The stream that carries `topic`. */
export function streamOf(streams: readonly StreamBinding[], topic: string): string {
  const binding = streams.find((candidate) => candidate.topic === topic);
  if (!binding)
    throw new Error(
      `Unknown topic "${topic}"; the Kinesis transport carries ${streams.map((s) => s.topic).join(', ')}`,
    );
  return binding.stream;
}

/** Creates the stream when it is missing and waits until it is ACTIVE. */
export async function ensureStream(
  client: KinesisClient,
  { stream, shards }: StreamBinding,
  activeTimeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + activeTimeoutMs;
  let created = false;
  while (true) {
    const status = await client
      .send(new DescribeStreamSummaryCommand({ StreamName: stream }))
      .then((answer) => answer.StreamDescriptionSummary?.StreamStatus)
      .catch((error: unknown) => {
        if ((error as Error).name === 'ResourceNotFoundException') return undefined;
        throw error;
      });
    if (status === 'ACTIVE' || status === 'UPDATING') return;
    if (status === undefined && !created) {
      await client
        .send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }))
        .catch((error: unknown) => {
          // Created meanwhile by another process: wait for it like for ours.
          if ((error as Error).name !== 'ResourceInUseException') throw error;
        });
      created = true;
    }
    if (Date.now() > deadline) throw new Error(`stream ${stream} is ${status ?? 'missing'}, not ACTIVE`);
    await sleep(200);
  }
}

/** What failed, as a TransportUnavailableError (ingest: 503), naming the stream and the SDK's error. */
export function unavailable(what: string, error: unknown): TransportUnavailableError {
  if (error instanceof TransportUnavailableError) return error;
  return new TransportUnavailableError(`${what}: ${describe(error)}`, 5, { cause: error });
}

function describe(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(describe).join('; ');
  if (error instanceof Error)
    return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
