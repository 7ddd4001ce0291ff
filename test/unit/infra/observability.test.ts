/**
 * The stack's alarms and dashboard: plain metric alarms (no math, which emulators refuse) on the series the
 * functions really publish (the EMF metric names and dimensions of src/ports/metrics.ts, Lambda's own), one
 * namespace per stage, and a dashboard that shows every metric a deployed function records.
 */
import { describe, expect, it } from 'vitest';
import { METRICS_SERVICE, type MetricName, metricCatalog } from '../../../src/ports/metrics.ts';
import { kafkaContext, resourcesOf, synth, topologyFunctionIds } from './synth.ts';

interface AlarmProperties {
  AlarmName: string;
  Namespace?: string;
  MetricName?: string;
  Metrics?: unknown;
  Dimensions?: { Name: string; Value: unknown }[];
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData: string;
}

function alarmsOf(template: ReturnType<typeof synth>['template']): Map<string, AlarmProperties> {
  return new Map(
    Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((resource) => {
      const properties = resource.Properties as unknown as AlarmProperties;
      return [properties.AlarmName, properties];
    }),
  );
}

const dimensions = (alarm: AlarmProperties) =>
  Object.fromEntries((alarm.Dimensions ?? []).map(({ Name, Value }) => [Name, Value]));

describe('observability (CloudWatch alarms and dashboard)', () => {
  it('with Kinesis: dead letters, iterator age, ingest 5xx and every scheduled job’s failures, as plain alarms', () => {
    const { template } = synth();
    const alarms = alarmsOf(template);
    expect([...alarms.keys()].sort()).toEqual(
      [
        'top-songs-dev-catalog-sync-failures',
        'top-songs-dev-chart-daily-failures',
        'top-songs-dev-chart-hourly-failures',
        'top-songs-dev-compact-failures',
        'top-songs-dev-dead-letters',
        // The dead-letter counter consumes too: a backlog there means dead letters not counted yet.
        'top-songs-dev-dead-letter-counter-iterator-age',
        'top-songs-dev-enrich-failures',
        'top-songs-dev-ingest5xx',
        'top-songs-dev-lake-writer-iterator-age',
        // The live chart's consumer: a backlog there is a live chart falling behind.
        'top-songs-dev-live-chart-iterator-age',
      ].sort(),
    );
    for (const alarm of alarms.values()) {
      expect(alarm.Metrics).toBeUndefined();
      expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }

    const deadLetters = alarms.get('top-songs-dev-dead-letters')!;
    expect([deadLetters.Namespace, deadLetters.MetricName, deadLetters.Threshold]).toEqual([
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      1,
    ]);
    const queues = Object.keys(resourcesOf(template, 'AWS::SQS::Queue'));
    expect(queues).toHaveLength(1);
    expect(dimensions(deadLetters).QueueName).toEqual({ 'Fn::GetAtt': [queues[0], 'QueueName'] });

    const functionIds = topologyFunctionIds(template);
    const idOf = (name: string) => [...functionIds].find(([, fn]) => fn === name)![0];
    const lag = alarms.get('top-songs-dev-lake-writer-iterator-age')!;
    expect([lag.Namespace, lag.MetricName]).toEqual(['AWS/Lambda', 'IteratorAge']);
    expect(dimensions(lag).FunctionName).toEqual({ Ref: idOf('lake-writer') });
    const chartFailures = alarms.get('top-songs-dev-chart-hourly-failures')!;
    expect([chartFailures.Namespace, chartFailures.MetricName]).toEqual(['AWS/Lambda', 'Errors']);
    expect(dimensions(chartFailures).FunctionName).toEqual({ Ref: idOf('chart-hourly') });

    // Exactly the series ingest's middleware publishes: EMF name, the stage's namespace, service + route.
    const ingest = alarms.get('top-songs-dev-ingest5xx')!;
    expect([ingest.Namespace, ingest.MetricName, ingest.Threshold]).toEqual([
      'TopSongs/dev',
      'api_server_errors' satisfies MetricName,
      1,
    ]);
    expect(dimensions(ingest)).toEqual({ service: METRICS_SERVICE, route: 'POST /v1/plays' });
  });

  it('with Kafka: the consumer’s offset lag instead; no failed-batches queue to watch', () => {
    const alarms = alarmsOf(synth({ kafka: kafkaContext }).template);
    expect(alarms.has('top-songs-dev-dead-letters')).toBe(false);
    expect(alarms.has('top-songs-dev-lake-writer-iterator-age')).toBe(false);
    const lag = alarms.get('top-songs-dev-lake-writer-offset-lag')!;
    expect([lag.Namespace, lag.MetricName, lag.Threshold]).toEqual(['AWS/Lambda', 'OffsetLag', 10_000]);
  });

  it('gives every function its stage’s metrics namespace, and one dashboard shows every metric they publish', () => {
    const { template } = synth({ stage: 'prod' });
    const functionIds = topologyFunctionIds(template);
    const lambdas = resourcesOf(template, 'AWS::Lambda::Function');
    for (const id of functionIds.keys()) {
      const environment = lambdas[id]!.Properties!.Environment as { Variables: Record<string, unknown> };
      expect(environment.Variables.METRICS_NAMESPACE).toBe('TopSongs/prod');
    }
    const dashboards = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.Properties!.DashboardName).toBe('top-songs-prod');
    const body = JSON.stringify(dashboards[0]!.Properties!.DashboardBody);
    // dead_letters is the local poller's: in AWS the event source mapping dead-letters, shown by its queue.
    const published = (Object.keys(metricCatalog) as MetricName[]).filter((name) => name !== 'dead_letters');
    for (const name of published) expect(body).toContain(`\\"${name}\\"`);
    expect(body).toContain('TopSongs/prod');
    expect(template.toJSON().Outputs.DashboardName.Value).toBe('top-songs-prod');
  });

  it('every alarm notifies one encrypted topic when it fires and when it clears; e-mails from config subscribe to it', () => {
    const { template } = synth({ alarmEmails: 'ops@example.com, oncall@example.com' });
    const topics = resourcesOf(template, 'AWS::SNS::Topic');
    expect(Object.keys(topics)).toHaveLength(1);
    const [topicId, topic] = Object.entries(topics)[0]!;
    const keys = resourcesOf(template, 'AWS::KMS::Key');
    const [keyId, key] = Object.entries(keys).find(([id]) => id.startsWith('ObservabilityAlarmTopicKey'))!;
    expect(topic.Properties!.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(key.Properties!.EnableKeyRotation).toBe(true);
    // CloudWatch may use the key: without it, an alarm's publish to the encrypted topic is dropped.
    const keyStatements = (
      key.Properties!.KeyPolicy as { Statement: { Principal?: { Service?: string }; Action: string[] }[] }
    ).Statement;
    expect(
      keyStatements.find((statement) => statement.Principal?.Service === 'cloudwatch.amazonaws.com')?.Action,
    ).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);

    const alarms = [...alarmsOf(template).values()] as unknown as {
      AlarmActions?: unknown[];
      OKActions?: unknown[];
    }[];
    expect(alarms.length).toBeGreaterThan(5);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
    }
    const subscriptions = Object.values(resourcesOf(template, 'AWS::SNS::Subscription')).map(
      (subscription) => [subscription.Properties!.Protocol, subscription.Properties!.Endpoint],
    );
    expect(subscriptions).toEqual([
      ['email', 'ops@example.com'],
      ['email', 'oncall@example.com'],
    ]);
    expect(template.toJSON().Outputs.AlarmTopicArn.Value).toEqual({ Ref: topicId });
  });

  it('without alarm e-mails the topic is there with no subscriber; a bad address stops the synth, naming it', () => {
    expect(Object.keys(resourcesOf(synth().template, 'AWS::SNS::Subscription'))).toHaveLength(0);
    expect(() => synth({ alarmEmails: 'ops@example.com,not-an-address' })).toThrow(
      /alarmEmails\.1: alarm e-mails are addresses/,
    );
  });
});
