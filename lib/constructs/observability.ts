import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { playEventShape } from '../../src/domain/play-event.ts';
import { METRICS_SERVICE, type MetricName } from '../../src/ports/metrics.ts';
import { httpRoutes } from '../../src/topology.ts';
import { stackOutput } from '../stack-output.ts';
import type { KinesisStreams } from './kinesis-streams.ts';
import type { DeployedFunction } from './topology-functions.ts';

export interface ObservabilityProps {
  /** Names the dashboard and the alarms: `top-songs-<stage>-…`. */
  readonly stage: string;
  /** The functions' METRICS_NAMESPACE: where their EMF metrics are. */
  readonly metricsNamespace: string;
  readonly functions: readonly DeployedFunction[];
  /** The Kinesis transport, whose failed-batches queue is where dead letters show; undefined with Kafka. */
  readonly kinesis: KinesisStreams | undefined;
  /** Subscribed to the alarm topic by e-mail. */
  readonly alarmEmails: readonly string[];
  /** Of the alarm topic's key: `dev` stages are disposable. */
  readonly removalPolicy: RemovalPolicy;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * CloudWatch alarms and a dashboard over the functions' own metrics (EMF, src/ports/metrics.ts) and Lambda's.
 * Plain metric alarms only, no metric math: LocalStack-compatible emulators refuse math alarms, and every alarm
 * here watches one series anyway. Why each alarm, and what it cannot see: docs/observability.md.
 */
export class Observability extends Construct {
  readonly alarms: readonly Alarm[];
  /** Where every alarm (and its return to OK) is published: subscribe people, chat or paging to it. */
  readonly alarmTopic: Topic;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const prefix = `top-songs-${props.stage}`;
    const app = (name: MetricName, labels: Record<string, string> = {}, statistic = 'Sum') =>
      new Metric({
        namespace: props.metricsNamespace,
        metricName: name,
        dimensionsMap: { service: METRICS_SERVICE, ...labels },
        statistic,
        period: FIVE_MINUTES,
      });
    const byName = new Map(props.functions.map((deployed) => [deployed.declaration.name, deployed]));
    const consumers = props.functions.filter(({ declaration }) => declaration.trigger.kind === 'topic');
    const scheduled = props.functions.filter(({ declaration }) => declaration.trigger.kind === 'schedule');
    this.alarmTopic = alarmTopic(this, prefix, props);
    const notify = new SnsAction(this.alarmTopic);
    const alarms: Alarm[] = [];
    const alarm = (
      alarmId: string,
      metric: IMetric,
      threshold: number,
      description: string,
      evaluationPeriods = 1,
    ) => {
      const created = new Alarm(this, alarmId, {
        alarmName: `${prefix}-${alarmId.replace(/[A-Z]/g, (c, at) => `${at ? '-' : ''}${c.toLowerCase()}`)}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No data is no trouble: no plays, no batches, no failures.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(notify);
      created.addOkAction(notify);
      alarms.push(created);
      return created;
    };

    if (props.kinesis) {
      alarm(
        'DeadLetters',
        props.kinesis.failedBatches.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: 'Maximum',
        }),
        1,
        'A consumer gave up on a batch after every retry: its description waits in the failed-batches queue, the records in the stream (24 h).',
      );
    }
    for (const { declaration, fn } of consumers) {
      const id = pascal(declaration.name);
      // Kinesis event sources publish IteratorAge (ms), Kafka ones OffsetLag (records).
      if (props.kinesis) {
        alarm(
          `${id}IteratorAge`,
          fn.metric('IteratorAge', { period: FIVE_MINUTES, statistic: 'Maximum' }),
          10 * 60 * 1000,
          `${declaration.name} is 10 minutes or more behind the stream for 15 minutes: what it keeps (the lake, the live chart, the dead-letter counts) lags.`,
          3,
        );
      } else {
        alarm(
          `${id}OffsetLag`,
          fn.metric('OffsetLag', { period: FIVE_MINUTES, statistic: 'Maximum' }),
          10_000,
          `${declaration.name} is 10 000 records or more behind the topic for 15 minutes: what it keeps (the lake, the live chart, the dead-letter counts) lags.`,
          3,
        );
      }
    }
    const ingestRoute = httpRoutes.find((route) => route.method === 'POST' && route.path === '/v1/plays');
    if (ingestRoute && byName.has('ingest')) {
      alarm(
        'Ingest5xx',
        app('api_server_errors', { route: `${ingestRoute.method} ${ingestRoute.path}` }),
        1,
        'POST /v1/plays answered 5xx: plays were refused (503: the transport did not take them; 500: a bug).',
      );
    }
    for (const { declaration, fn } of scheduled) {
      alarm(
        `${pascal(declaration.name)}Failures`,
        fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        1,
        `A run of ${declaration.name} failed: its windows keep their previous result until a run gets through.`,
      );
    }
    this.alarms = alarms;

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: prefix,
      defaultInterval: Duration.hours(3),
    });
    const graph = (title: string, metrics: IMetric[], width = 12) =>
      new GraphWidget({ title, left: metrics, width, height: 6 });
    const reasons = [
      'transport_unavailable',
      'invalid_event',
      ...Object.keys(playEventShape.shape).map((field) => `invalid_${field}`),
    ];
    const routes = httpRoutes.map((route) => `${route.method} ${route.path}`);
    const okStatus = (route: string) => (route.startsWith('POST ') ? '202' : '200');
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Top Songs (${props.stage})\nMetrics: docs/observability.md. Namespace \`${props.metricsNamespace}\`.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('Plays accepted and rejected (by reason)', [
        app('plays_accepted'),
        ...reasons.map((reason) => app('plays_rejected', { reason })),
      ]),
      graph('Lake rows and files written', [
        ...['plays', 'rejects'].map((kind) => app('lake_rows_written', { kind })),
        ...['plays', 'rejects'].map((kind) => app('lake_files_written', { kind })),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Batch duration (s, p99)',
        consumers.flatMap(({ declaration }) =>
          ['ok', 'failed'].map((outcome) =>
            app('batch_duration_seconds', { function: declaration.name, outcome }, 'p99'),
          ),
        ),
      ),
      graph('Consumer lag and dead letters', [
        ...consumers.map(({ fn }) =>
          fn.metric(props.kinesis ? 'IteratorAge' : 'OffsetLag', {
            statistic: 'Maximum',
            period: FIVE_MINUTES,
          }),
        ),
        ...(props.kinesis
          ? [props.kinesis.failedBatches.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES })]
          : []),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Chart runs (s, max) and windows computed',
        ['hour', 'day'].flatMap((period) => [
          app('chart_run_duration_seconds', { period, outcome: 'ok' }, 'Maximum'),
          ...['provisional', 'final'].map((status) => app('chart_windows_computed', { period, status })),
        ]),
      ),
      graph(
        'Function errors',
        props.functions.map(({ fn }) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' })),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'API latency (s, p99, success status)',
        routes.map((route) => app('api_request_duration_seconds', { route, status: okStatus(route) }, 'p99')),
      ),
      graph(
        'API 5xx by route',
        routes.map((route) => app('api_server_errors', { route })),
      ),
    );
    stackOutput(this, 'DashboardName', {
      value: prefix,
      description: 'The CloudWatch dashboard of the stack (metrics: docs/observability.md)',
    });
  }
}

const pascal = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_match, _dash, letter: string) => letter.toUpperCase());

/**
 * The topic the alarms publish to, encrypted at rest with a key of the stack's own: CloudWatch cannot publish
 * to a topic under the AWS-managed SNS key, so the key's policy lets CloudWatch use it, for this account's
 * alarms only, and the topic's policy lets CloudWatch publish, likewise. Plain HTTP is refused.
 */
function alarmTopic(scope: Construct, prefix: string, props: ObservabilityProps): Topic {
  const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
  const thisAccount = { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } };
  const key = new Key(scope, 'AlarmTopicKey', {
    description: `${prefix}: encrypts the alarm topic`,
    enableKeyRotation: true,
    removalPolicy: props.removalPolicy,
  });
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [cloudWatch],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: thisAccount,
    }),
  );
  const topic = new Topic(scope, 'AlarmTopic', {
    displayName: `Top Songs (${prefix}) alarms`,
    masterKey: key,
    enforceSSL: true,
  });
  topic.addToResourcePolicy(
    new PolicyStatement({
      principals: [cloudWatch],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ArnLike: {
          'aws:SourceArn': `arn:${Stack.of(scope).partition}:cloudwatch:*:${Stack.of(scope).account}:alarm:${prefix}-*`,
        },
      },
    }),
  );
  for (const email of props.alarmEmails) topic.addSubscription(new EmailSubscription(email));
  stackOutput(scope, 'AlarmTopicArn', { value: topic.topicArn, description: 'Where the alarms publish' });
  return topic;
}
