import { join } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { functions, streamJobs, topics } from '../../src/topology.ts';
import type { AppConfig } from '../config/app-config.ts';
import { DashboardSite } from '../constructs/dashboard-site.ts';
import { DataLake } from '../constructs/data-lake.ts';
import { DatabaseSecret } from '../constructs/database-secret.ts';
import { TopologyHttpApi } from '../constructs/http-api.ts';
import { KafkaCluster } from '../constructs/kafka-cluster.ts';
import { KinesisStreams } from '../constructs/kinesis-streams.ts';
import { RdsDatabase } from '../constructs/rds-database.ts';
import { TopologySchedules } from '../constructs/schedules.ts';
import { SparkStreamStep } from '../constructs/spark-stream-step.ts';
import { TopicTriggers } from '../constructs/topic-triggers.ts';
import { TopologyFunctions } from '../constructs/topology-functions.ts';
import { functionAccess, neverBundled } from '../function-access.ts';

export interface TopSongsStackProps extends StackProps {
  readonly config: AppConfig;
  readonly projectRoot: string;
}

/** Composition only: the topology (src/topology.ts) turned into Lambda, triggers, S3, secrets and RDS. */
export class TopSongsStack extends Stack {
  readonly lake: DataLake;
  readonly functions: TopologyFunctions;
  readonly api: TopologyHttpApi;
  /** PostgreSQL on RDS, with `database: rds`; else undefined (the functions read a DATABASE_URL secret). */
  readonly rds: RdsDatabase | undefined;
  /** The Spark streaming jobs as EMR steps, with the `emr` switch on; else empty. */
  readonly sparkSteps: readonly SparkStreamStep[];

  constructor(scope: Construct, id: string, props: TopSongsStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.lake = new DataLake(this, 'Lake', { removalPolicy: config.removalPolicy });
    // Config guarantees the brokers with `kafka`; Kinesis otherwise: every deploy feeds its consumers.
    const kafka =
      config.transport === 'kafka' && config.kafka
        ? new KafkaCluster(this, 'Kafka', config.kafka)
        : undefined;
    const kinesis =
      config.transport === 'kinesis'
        ? new KinesisStreams(this, 'Kinesis', {
            stage: config.stage,
            plays: topics.plays,
            deadLetters: topics.deadLetters,
            removalPolicy: config.removalPolicy,
          })
        : undefined;

    // The database users run in RDS's VPC, which has no route to the internet: a producer among them
    // (ingest, which counts each request against its API key's rate in the database) reaches Kinesis
    // through an endpoint, but could not reach Kafka brokers.
    const databaseUsers = Object.values(functionAccess).filter((access) => access.database);
    const vpcProducers = databaseUsers.some((access) => access.kafkaProducer);
    if (config.database === 'rds' && vpcProducers && kafka) {
      throw new Error(
        'database rds with kafka: ingest uses the database (API key rate limits), so it runs in the VPC of RDS, which has no route to Kafka brokers; keep the default Kinesis transport with database=rds, or use database=secret with kafka',
      );
    }
    this.rds =
      config.database === 'rds'
        ? new RdsDatabase(this, 'Rds', {
            removalPolicy: config.removalPolicy,
            logRetention: config.logRetention,
            kinesisEndpoint: vpcProducers && kinesis !== undefined,
          })
        : undefined;
    const database = this.rds
      ? undefined
      : new DatabaseSecret(this, 'Database', {
          secretArn: config.databaseSecretArn,
          removalPolicy: config.removalPolicy,
          stage: config.stage,
        });
    const databaseSecret = this.rds?.secret ?? database!.secret;

    this.functions = new TopologyFunctions(this, 'Functions', {
      declarations: functions,
      topics,
      access: functionAccess,
      neverBundled,
      projectRoot: props.projectRoot,
      lake: this.lake,
      databaseSecret,
      kafka,
      kinesis,
      regions: config.regions,
      architecture: config.architecture,
      vpc: this.rds?.vpc,
      vpcSubnets: this.rds?.subnets,
      securityGroups: this.rds && [this.rds.clientSecurityGroup],
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    for (const { declaration, fn } of this.functions.deployed) {
      if (functionAccess[declaration.name].database) this.rds?.addClient(fn);
    }
    this.api = new TopologyHttpApi(this, 'Http', {
      functions: this.functions.deployed,
      ingestCorsOrigins: config.ingestCorsOrigins,
      throttle: { rateLimit: 100, burstLimit: 200 },
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    new TopologySchedules(this, 'Schedules', { functions: this.functions.deployed });
    const site =
      config.site === 'none'
        ? undefined
        : new DashboardSite(this, 'Dashboard', {
            mode: config.site,
            frontendDir: join(props.projectRoot, 'frontend'),
            apiUrl: this.api.url,
            removalPolicy: config.removalPolicy,
            logRetention: config.logRetention,
          });
    new TopicTriggers(this, 'Topics', {
      functions: this.functions.deployed,
      topics,
      deadLetterTopic: topics.deadLetters,
      kafka,
      kinesis,
    });

    // Config guarantees Kafka with EMR: the job reads the topic from the brokers.
    const emr = config.emr;
    this.sparkSteps =
      emr && kafka
        ? streamJobs.map(
            (job) =>
              new SparkStreamStep(this, `Spark-${job.name}`, {
                job,
                projectRoot: props.projectRoot,
                bucket: this.lake.bucket,
                bootstrapServers: kafka.bootstrapServers,
                regions: config.regions,
                emr,
              }),
          )
        : [];
    for (const step of this.sparkSteps) {
      new CfnOutput(this, `EmrCluster-${step.step.name}`, {
        value: step.cluster.ref,
        description: `EMR cluster running the ${step.step.name} step (always on: it costs until deleted)`,
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API (/v1/...)' });
    if (site) {
      new CfnOutput(this, 'DashboardUrl', {
        value: site.url,
        description: `The dashboard (site=${config.site})`,
      });
    }
    new CfnOutput(this, 'LakeBucketName', {
      value: this.lake.bucket.bucketName,
      description: 'The data lake bucket',
    });
    new CfnOutput(this, 'LakeUri', {
      value: this.lake.uri,
      description: 'LAKE_URI of the deployed functions',
    });
    if (kinesis) {
      new CfnOutput(this, 'KinesisStream', {
        value: kinesis.streamName,
        description: 'KINESIS_STREAM: the stream carrying plays (ingest writes it, lake-writer reads it)',
      });
    }
    if (this.rds) {
      new CfnOutput(this, 'DatabaseEndpoint', {
        value: this.rds.endpoint,
        description: 'host:port of the RDS PostgreSQL instance (reachable from inside its VPC only)',
      });
    }
    new CfnOutput(this, 'DatabaseSecretArn', {
      value: databaseSecret.secretArn,
      description: this.rds
        ? 'The RDS-generated credentials (JSON: username, password, host, port, dbname), rotated every 30 days'
        : database?.created
          ? 'Created with a placeholder: put-secret-value the real DATABASE_URL (postgres://...) into it'
          : 'The configured secret holding DATABASE_URL',
    });
    new CfnOutput(this, 'Transport', {
      value: kinesis
        ? `Kinesis: ${kinesis.streamName} (dead letters: ${kinesis.streamName}-dlq)`
        : kafka!.describe(),
      description: 'How the topic-triggered functions are fed',
    });
  }
}
