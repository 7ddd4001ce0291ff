import { join } from 'node:path';
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { functions, streamJobs, topics } from '../../src/topology.ts';
import type { AppConfig } from '../config/app-config.ts';
import { DashboardSite } from '../constructs/dashboard-site.ts';
import { DataLake } from '../constructs/data-lake.ts';
import { DatabaseSecret } from '../constructs/database-secret.ts';
import { DeployTriggers } from '../constructs/deploy-triggers.ts';
import { TopologyHttpApi } from '../constructs/http-api.ts';
import { KafkaCluster } from '../constructs/kafka-cluster.ts';
import { KinesisStreams } from '../constructs/kinesis-streams.ts';
import { Observability } from '../constructs/observability.ts';
import { OpenAiSecret } from '../constructs/openai-secret.ts';
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

/**
 * Composition only: the topology (src/topology.ts) turned into Lambda, triggers, S3, secrets and RDS. Each
 * construct declares the stack outputs it owns (lib/stack-output.ts).
 */
export class TopSongsStack extends Stack {
  readonly lake: DataLake;
  readonly functions: TopologyFunctions;
  readonly api: TopologyHttpApi;
  /** PostgreSQL on RDS, with `database: rds`; else undefined (the functions read a DATABASE_URL secret). */
  readonly rds: RdsDatabase | undefined;
  /** The Spark streaming jobs as EMR steps, with the `emr` switch on; else empty. */
  readonly sparkSteps: readonly SparkStreamStep[];
  readonly observability: Observability;

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
    const openAi = new OpenAiSecret(this, 'OpenAi', {
      secretArn: config.openAi.secretArn,
      removalPolicy: config.removalPolicy,
      stage: config.stage,
    });

    // One namespace per stage, so that two stages in one account never mix their metrics.
    const metricsNamespace = `TopSongs/${config.stage}`;
    this.functions = new TopologyFunctions(this, 'Functions', {
      declarations: functions,
      topics,
      access: functionAccess,
      neverBundled,
      projectRoot: props.projectRoot,
      lake: this.lake,
      databaseSecret,
      openAi: { secret: openAi.secret, model: config.openAi.model, baseUrl: config.openAi.baseUrl },
      kafka,
      kinesis,
      regions: config.regions,
      metricsNamespace,
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
    // After the deploy: the catalog job, once the lake, its secret and the functions are in place.
    new DeployTriggers(this, 'AfterDeploy', {
      functions: this.functions.deployed,
      executeAfter: [this.lake, openAi, this.functions],
    });
    if (config.site !== 'none') {
      new DashboardSite(this, 'Dashboard', {
        mode: config.site,
        frontendDir: join(props.projectRoot, 'frontend'),
        apiUrl: this.api.url,
        removalPolicy: config.removalPolicy,
        logRetention: config.logRetention,
      });
    }
    this.observability = new Observability(this, 'Observability', {
      stage: config.stage,
      metricsNamespace,
      functions: this.functions.deployed,
      kinesis,
      alarmEmails: config.alarmEmails,
      removalPolicy: config.removalPolicy,
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
  }
}
