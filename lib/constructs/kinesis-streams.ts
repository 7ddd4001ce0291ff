import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type IStream, Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { TopicDeclaration } from '../../src/topology.ts';
import { stackOutput } from '../stack-output.ts';

export interface KinesisStreamsProps {
  /** Names the streams: `top-songs-<stage>-<topic>`. */
  readonly stage: string;
  readonly plays: TopicDeclaration;
  readonly deadLetters: TopicDeclaration;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The Kinesis transport: one provisioned data stream per topic, shards = the topic's partitions. The
 * plays stream's name is the functions' KINESIS_STREAM; the dead-letter stream is that name + `-dlq`,
 * which is where the Kinesis transport (src/adapters/transport/kinesis/transport.ts) looks for it.
 *
 * Lambda's Kinesis event source cannot send failed records to a stream: once a batch has spent its
 * retry budget (the trigger's attempts and maximum record age), it sends a description of the batch (shard,
 * sequence numbers) to `failedBatches`, an SQS queue, and moves on. The records themselves stay in the plays stream for its retention (24 h).
 */
export class KinesisStreams extends Construct {
  readonly plays: IStream;
  readonly deadLetters: IStream;
  /** Where the event source mapping records the batches it gave up on. */
  readonly failedBatches: Queue;
  /** The KINESIS_STREAM of the producing functions. */
  readonly streamName: string;

  constructor(scope: Construct, id: string, props: KinesisStreamsProps) {
    super(scope, id);
    this.streamName = `top-songs-${props.stage}-${props.plays.name}`;
    const stream = (constructId: string, streamName: string, shardCount: number) =>
      new Stream(this, constructId, {
        streamName,
        streamMode: StreamMode.PROVISIONED,
        shardCount,
        encryption: StreamEncryption.MANAGED,
        removalPolicy: props.removalPolicy,
      });
    this.plays = stream('Plays', this.streamName, props.plays.partitions);
    this.deadLetters = stream('DeadLetters', `${this.streamName}-dlq`, props.deadLetters.partitions);
    this.failedBatches = new Queue(this, 'FailedBatches', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    stackOutput(this, 'KinesisStream', {
      value: this.streamName,
      description: 'KINESIS_STREAM: the stream carrying plays (ingest writes it, lake-writer reads it)',
    });
    stackOutput(this, 'Transport', {
      value: `Kinesis: ${this.streamName} (dead letters: ${this.streamName}-dlq)`,
      description: 'How the topic-triggered functions are fed',
    });
    Validations.of(this.failedBatches).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the Kinesis event source mapping.',
    });
  }

  /** Which stream carries a topic; undefined for a topic without one. */
  streamOf(topic: string, plays: TopicDeclaration, deadLetters: TopicDeclaration): IStream | undefined {
    if (topic === plays.name) return this.plays;
    if (topic === deadLetters.name) return this.deadLetters;
    return undefined;
  }
}
