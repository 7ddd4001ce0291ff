import { Duration, Validations } from 'aws-cdk-lib';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import {
  KafkaDlq,
  KinesisEventSource,
  ManagedKafkaEventSource,
  SelfManagedKafkaEventSource,
  SqsDlq,
} from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import type { TopicDeclaration } from '../../src/topology.ts';
import { managedPolicyFinding } from '../nag.ts';
import type { KafkaCluster } from './kafka-cluster.ts';
import type { KinesisStreams } from './kinesis-streams.ts';
import type { DeployedFunction } from './topology-functions.ts';

export interface TopicTriggersProps {
  /** Every deployed function; those with a `topic` trigger get an event source mapping. */
  readonly functions: readonly DeployedFunction[];
  readonly topics: Readonly<Record<string, TopicDeclaration>>;
  /** Where a batch's records go once `maxAttempts` or `maxRecordAgeSeconds` is spent. */
  readonly deadLetterTopic: TopicDeclaration;
  /** The Kafka transport: Amazon MSK or self-managed brokers. One of `kafka` and `kinesis` is required. */
  readonly kafka: KafkaCluster | undefined;
  /** The Kinesis transport's streams: topic-triggered functions get a Kinesis event source instead. */
  readonly kinesis?: KinesisStreams | undefined;
}

/**
 * Feeds topic-triggered functions from Kafka (Amazon MSK or self-managed) through Lambda's event source mapping, with
 * the batch size, batching window, attempts, maximum record age and bisecting their trigger declares.
 *
 * The mapping runs in provisioned mode: Lambda offers retry limits, partial batch responses
 * (`ReportBatchItemFailures`) and on-failure destinations for Kafka only there. Pollers scale from one
 * up to the topic's partition count (more could not consume in parallel).
 *
 * With the Kinesis transport, the same settings apply to a Kinesis event source per stream.
 *
 * A consumer is never deployed unfed: without a transport there is nothing to read what ingest accepted.
 */
export class TopicTriggers extends Construct {
  constructor(scope: Construct, id: string, props: TopicTriggersProps) {
    super(scope, id);
    for (const { declaration, fn } of props.functions) {
      const trigger = declaration.trigger;
      if (trigger.kind !== 'topic') continue;
      const topic = Object.values(props.topics).find((candidate) => candidate.name === trigger.topic);
      if (!topic)
        throw new Error(`${declaration.name} consumes ${trigger.topic}, which the topology does not declare`);
      // What the trigger declares, the same for every kind of event source.
      const delivery = {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: trigger.batchSize,
        maxBatchingWindow: Duration.seconds(trigger.batchWindowSeconds),
        // maxAttempts counts the first attempt; Lambda's retryAttempts does not (-1: no limit).
        retryAttempts: Number.isFinite(trigger.maxAttempts) ? trigger.maxAttempts - 1 : -1,
        ...(Number.isFinite(trigger.maxRecordAgeSeconds)
          ? { maxRecordAge: Duration.seconds(trigger.maxRecordAgeSeconds) }
          : {}),
        reportBatchItemFailures: true,
        bisectBatchOnError: trigger.splitBatchOnError,
      };
      if (props.kinesis) {
        const stream = props.kinesis.streamOf(topic.name, props.topics.plays!, props.deadLetterTopic);
        if (!stream)
          throw new Error(`${declaration.name} consumes ${trigger.topic}, which has no Kinesis stream`);
        fn.addEventSource(
          new KinesisEventSource(stream, { ...delivery, onFailure: new SqsDlq(props.kinesis.failedBatches) }),
        );
        continue;
      }
      if (!props.kafka) {
        throw new Error(
          `${declaration.name} consumes topic ${trigger.topic}, but neither Kafka nor Kinesis streams were given to feed it`,
        );
      }
      const settings = {
        ...delivery,
        secret: props.kafka.secret,
        topic: trigger.topic,
        onFailure: new KafkaDlq(props.deadLetterTopic.name),
        provisionedPollerConfig: { minimumPollers: 1, maximumPollers: topic.partitions },
      };
      if (props.kafka.mskClusterArn) {
        Validations.of(fn).acknowledge({
          id: managedPolicyFinding('service-role/AWSLambdaMSKExecutionRole'),
          reason:
            "CDK attaches AWS's policy for MSK event sources: Lambda's pollers describe the cluster and open network interfaces in its VPC.",
        });
      }
      fn.addEventSource(
        props.kafka.mskClusterArn
          ? new ManagedKafkaEventSource({ ...settings, clusterArn: props.kafka.mskClusterArn })
          : new SelfManagedKafkaEventSource({
              ...settings,
              bootstrapServers: [...props.kafka.bootstrapServers],
              authenticationMethod: props.kafka.authenticationMethod,
            }),
      );
    }
  }
}
