import { Duration, RemovalPolicies, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InstanceClass,
  InstanceSize,
  InstanceType,
  InterfaceVpcEndpointAwsService,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  CaCertificate,
  Credentials,
  DatabaseInstance,
  DatabaseInstanceEngine,
  ParameterGroup,
  PostgresEngineVersion,
  StorageType,
} from 'aws-cdk-lib/aws-rds';
import { HostedRotation, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { stackOutput } from '../stack-output.ts';

/**
 * The RDS CA certificates Lambda's Node.js runtimes ship; Node 20+ no longer loads them unless asked,
 * and without them `sslmode=verify-full` to RDS fails.
 */
export const RDS_CA_BUNDLE = '/var/runtime/ca-cert.pem';

/** PostgreSQL's default; the security groups say who may use it (cdk-nag RDS11 below). */
const POSTGRES_PORT = 5432;

export interface RdsDatabaseProps {
  /** DESTROY (dev): single-AZ, no final snapshot, no deletion protection; else Multi-AZ, snapshot, protected. */
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: RetentionDays;
  /** Adds a Kinesis interface endpoint: only when a function in the VPC writes to Kinesis. */
  readonly kinesisEndpoint?: boolean;
  /** Default db.t4g.micro (2 vCPU burstable, 1 GiB): enough for charts of a few thousand songs. */
  readonly instanceType?: InstanceType;
}

/**
 * PostgreSQL on RDS in a VPC of its own, reachable only from its clients' security group.
 *
 * Costs (us-east-1, on-demand) decided the network: no NAT gateways (~$33/month each) and no public
 * subnets. The subnets are isolated; what the clients need from AWS goes through VPC endpoints: S3
 * (the lake) through a gateway endpoint, which is free, and Secrets Manager through an interface
 * endpoint (~$7.30/month per AZ, so ~$14.60 for two). Kinesis gets one only when a client writes to it.
 * Lambda's own logs do not need one: the Lambda service ships them, not the function's network.
 */
export class RdsDatabase extends Construct {
  readonly vpc: Vpc;
  /** Where the database and its clients live: the isolated subnets of both AZs. */
  readonly subnets: SubnetSelection = { subnetType: SubnetType.PRIVATE_ISOLATED };
  /** Every client's security group: the only source the database accepts connections from. */
  readonly clientSecurityGroup: SecurityGroup;
  readonly instance: DatabaseInstance;
  /** The generated credentials, attached to the instance: JSON {username, password, host, port, dbname, ...}. */
  readonly secret: ISecret;
  /** `host:port` of the instance. */
  readonly endpoint: string;

  constructor(scope: Construct, id: string, props: RdsDatabaseProps) {
    super(scope, id);
    const disposable = props.removalPolicy === RemovalPolicy.DESTROY;

    // Only rejected traffic: that is what explains a client that cannot connect, and it stays cheap
    // (CloudWatch Logs ingestion, $0.50/GB) where accepted traffic would log every query's packets.
    const flowLogs = new LogGroup(this, 'FlowLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      gatewayEndpoints: { S3: { service: GatewayVpcEndpointAwsService.S3 } },
      flowLogs: {
        Rejected: {
          destination: FlowLogDestination.toCloudWatchLogs(flowLogs),
          trafficType: FlowLogTrafficType.REJECT,
        },
      },
    });
    // Outbound is left open: the isolated subnets route nowhere but the VPC and its endpoints anyway.
    this.clientSecurityGroup = new SecurityGroup(this, 'ClientSecurityGroup', {
      vpc: this.vpc,
      description:
        'Top Songs PostgreSQL clients: the functions that use the database and its secret rotation',
    });
    // Private DNS (the default) makes the SDK's usual hostnames resolve to the endpoints: no client setting.
    // `open: false`: HTTPS from the clients only, rather than from the whole VPC CIDR.
    const interfaceEndpoints = [
      ['SecretsManager', InterfaceVpcEndpointAwsService.SECRETS_MANAGER] as const,
      ...(props.kinesisEndpoint
        ? [['Kinesis', InterfaceVpcEndpointAwsService.KINESIS_STREAMS] as const]
        : []),
    ];
    for (const [endpointId, service] of interfaceEndpoints) {
      const endpoint = this.vpc.addInterfaceEndpoint(endpointId, {
        service,
        subnets: this.subnets,
        open: false,
      });
      endpoint.connections.allowDefaultPortFrom(this.clientSecurityGroup, 'HTTPS from the database clients');
    }
    const databaseSecurityGroup = new SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: this.vpc,
      description: 'Top Songs PostgreSQL: accepts its clients only',
      allowAllOutbound: false,
    });

    const engine = DatabaseInstanceEngine.postgres({ version: PostgresEngineVersion.VER_18 });
    this.instance = new DatabaseInstance(this, 'Instance', {
      engine,
      instanceType:
        props.instanceType ?? InstanceType.of(InstanceClass.BURSTABLE4_GRAVITON, InstanceSize.MICRO),
      vpc: this.vpc,
      vpcSubnets: this.subnets,
      securityGroups: [databaseSecurityGroup],
      publiclyAccessible: false,
      port: POSTGRES_PORT,
      databaseName: 'top_songs',
      credentials: Credentials.fromGeneratedSecret('top_songs'),
      // Explicit although RDS 15+ defaults to it: clients must use TLS, never plain text.
      parameterGroup: new ParameterGroup(this, 'Parameters', {
        engine,
        description: 'Top Songs PostgreSQL: TLS only',
        parameters: { 'rds.force_ssl': '1' },
      }),
      // Clients verify the server against this CA's chain, which RDS_CA_BUNDLE contains.
      caCertificate: CaCertificate.RDS_CA_RSA2048_G1,
      storageType: StorageType.GP3,
      allocatedStorage: 20,
      storageEncrypted: true,
      multiAz: !disposable,
      backupRetention: Duration.days(disposable ? 1 : 7),
      deleteAutomatedBackups: disposable,
      deletionProtection: !disposable,
      // SNAPSHOT, not RETAIN: a retained instance would keep its subnets, and so the whole VPC, alive.
      removalPolicy: disposable ? RemovalPolicy.DESTROY : RemovalPolicy.SNAPSHOT,
    });
    this.instance.connections.allowFrom(
      this.clientSecurityGroup,
      Port.tcp(POSTGRES_PORT),
      'PostgreSQL from its clients',
    );
    this.secret = this.instance.secret!;
    // A snapshot is useless without the password it was taken with: the generated secret (a child of
    // the instance; `secret` above is its attachment) follows the stage's policy.
    RemovalPolicies.of(this.instance).apply(props.removalPolicy, {
      applyToResourceTypes: ['AWS::SecretsManager::Secret'],
    });
    this.endpoint = `${this.instance.dbInstanceEndpointAddress}:${this.instance.dbInstanceEndpointPort}`;
    stackOutput(this, 'DatabaseEndpoint', {
      value: this.endpoint,
      description: 'host:port of the RDS PostgreSQL instance (reachable from inside its VPC only)',
    });
    stackOutput(this, 'DatabaseSecretArn', {
      value: this.secret.secretArn,
      description:
        'The RDS-generated credentials (JSON: username, password, host, port, dbname), rotated every 30 days',
    });

    // Secrets Manager's hosted rotation (a CloudFormation transform; no SAR app, no Docker) changes the
    // password every 30 days from inside the VPC. Clients keep their open connections; a client that
    // opens a new one with a stale password must read the secret again.
    this.secret.addRotationSchedule('Rotation', {
      hostedRotation: HostedRotation.postgreSqlSingleUser({
        vpc: this.vpc,
        vpcSubnets: this.subnets,
        securityGroups: [this.clientSecurityGroup],
      }),
      automaticallyAfter: Duration.days(30),
    });

    acknowledgeFindings(this.instance, disposable);
  }

  /** Makes a function a client: TLS to RDS verifies against Lambda's RDS CA bundle. */
  addClient(fn: LambdaFunction): void {
    fn.addEnvironment('NODE_EXTRA_CA_CERTS', RDS_CA_BUNDLE);
  }
}

/** What cdk-nag (AwsSolutions) flags on the instance, and why it is what we mean. */
function acknowledgeFindings(instance: DatabaseInstance, disposable: boolean): void {
  Validations.of(instance).acknowledge({
    id: 'AwsSolutions-RDS11',
    reason:
      'The default port 5432: the database sits in isolated subnets and accepts its clients’ security group only; another port would hide nothing from them.',
  });
  if (!disposable) return;
  Validations.of(instance).acknowledge(
    {
      id: 'AwsSolutions-RDS3',
      reason: 'dev stage: single-AZ halves the cost of a disposable database; every other stage is Multi-AZ.',
    },
    {
      id: 'AwsSolutions-RDS10',
      reason:
        'dev stage: disposable by design (removal policy DESTROY); every other stage has deletion protection.',
    },
  );
}
