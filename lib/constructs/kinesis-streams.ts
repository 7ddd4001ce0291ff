import type { RemovalPolicy } from 'aws-cdk-lib';
import { type IStream, Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import type { TopicDeclaration } from '../../src/topology.ts';

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
 * which is where the Kinesis transport (src/adapters/transport/kinesis.ts) looks for it.
 */
export class KinesisStreams extends Construct {
  readonly plays: IStream;
  readonly deadLetters: IStream;
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
  }

  /** Which stream carries a topic; undefined for a topic without one. */
  streamOf(topic: string, plays: TopicDeclaration, deadLetters: TopicDeclaration): IStream | undefined {
    if (topic === plays.name) return this.plays;
    if (topic === deadLetters.name) return this.deadLetters;
    return undefined;
  }
}
