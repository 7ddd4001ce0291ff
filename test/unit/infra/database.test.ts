import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { AppConfigError, loadAppConfig } from '../../../lib/config/app-config.ts';
import { RDS_CA_BUNDLE } from '../../../lib/constructs/rds-database.ts';
import { functionAccess } from '../../../lib/function-access.ts';
import { functions } from '../../../src/topology.ts';
import {
  kafkaContext,
  referencedId,
  resourcesOf,
  synth,
  topologyFunctionIds,
  unsynthesized,
} from './synth.ts';

const { template } = synth({ database: 'rds' });
const lambdas = resourcesOf(template, 'AWS::Lambda::Function');
const ids = topologyFunctionIds(template);
const idOf = (name: string) => [...ids].find(([, fn]) => fn === name)![0];
const propertiesOf = (name: string) => lambdas[idOf(name)]!.Properties!;
const variablesOf = (name: string) =>
  (propertiesOf(name).Environment as { Variables: Record<string, unknown> }).Variables;
const onlyId = (type: string) => {
  const found = Object.keys(resourcesOf(template, type));
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const ref = (id: string) => ({ Ref: id });
const groupId = (id: string) => ({ 'Fn::GetAtt': [id, 'GroupId'] });

const isolatedSubnets = Object.entries(resourcesOf(template, 'AWS::EC2::Subnet'))
  .filter(([, subnet]) =>
    (subnet.Properties!.Tags as { Key: string; Value: string }[]).some(
      (tag) => tag.Key === 'aws-cdk:subnet-type' && tag.Value === 'Isolated',
    ),
  )
  .map(([id]) => id)
  .sort();
const securityGroupNamed = (description: RegExp) =>
  Object.entries(resourcesOf(template, 'AWS::EC2::SecurityGroup')).find(([, group]) =>
    description.test(String(group.Properties!.GroupDescription)),
  )![0];
const clientGroup = securityGroupNamed(/PostgreSQL clients/);
const databaseGroup = securityGroupNamed(/accepts its clients only/);
const databaseUsers = functions.filter((fn) => functionAccess[fn.name].database).map((fn) => fn.name);
const others = functions.filter((fn) => !functionAccess[fn.name].database).map((fn) => fn.name);

describe('database rds', () => {
  it('runs PostgreSQL 18 on an encrypted db.t4g.micro in the isolated subnets, TLS only', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: '18',
      DBInstanceClass: 'db.t4g.micro',
      StorageEncrypted: true,
      PubliclyAccessible: false,
      DBName: 'top_songs',
      BackupRetentionPeriod: Match.anyValue(),
      VPCSecurityGroups: [groupId(databaseGroup)],
      DBSubnetGroupName: ref(onlyId('AWS::RDS::DBSubnetGroup')),
      DBParameterGroupName: ref(onlyId('AWS::RDS::DBParameterGroup')),
    });
    expect(isolatedSubnets).toHaveLength(2);
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: Match.arrayEquals(isolatedSubnets.map(ref)),
    });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres18',
      Parameters: { 'rds.force_ssl': '1' },
    });
  });

  it('builds a VPC of isolated subnets only: no internet gateway, no NAT', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'REJECT' });
  });

  it('reaches S3, Secrets Manager and Kinesis (ingest writes it from the VPC) through endpoints, and only those', () => {
    const endpoints = Object.values(resourcesOf(template, 'AWS::EC2::VPCEndpoint')).map((endpoint) => [
      JSON.stringify(endpoint.Properties!.ServiceName).match(/\.([a-z0-9-]+)"\]\]\}$/)?.[1],
      endpoint.Properties!.VpcEndpointType,
    ]);
    expect(endpoints.sort()).toEqual([
      ['kinesis-streams', 'Interface'],
      ['s3', 'Gateway'],
      ['secretsmanager', 'Interface'],
    ]);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      SubnetIds: Match.arrayEquals(isolatedSubnets.map(ref)),
    });
  });

  it.each(databaseUsers)('puts %s in the isolated subnets with the client security group', (name) => {
    expect(propertiesOf(name).VpcConfig).toEqual({
      SubnetIds: isolatedSubnets.map(ref),
      SecurityGroupIds: [groupId(clientGroup)],
    });
    expect(variablesOf(name).NODE_EXTRA_CA_CERTS).toBe(RDS_CA_BUNDLE);
  });

  it.each(others)('keeps %s out of the VPC', (name) => {
    expect(propertiesOf(name).VpcConfig).toBeUndefined();
    expect(variablesOf(name).NODE_EXTRA_CA_CERTS).toBeUndefined();
    expect(variablesOf(name).DATABASE_SECRET_ARN).toBeUndefined();
  });

  it('lets the database accept PostgreSQL from the client security group and nothing else', () => {
    const ingress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress'))
      .map((rule) => rule.Properties!)
      .filter((rule) => referencedId(rule.GroupId) === databaseGroup);
    expect(ingress).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 5432,
        ToPort: 5432,
        SourceSecurityGroupId: groupId(clientGroup),
      }),
    ]);
    expect(
      resourcesOf(template, 'AWS::EC2::SecurityGroup')[databaseGroup]!.Properties!.SecurityGroupIngress,
    ).toBeUndefined();
  });

  it('gives the database users the RDS secret’s ARN and a read grant on it', () => {
    const attachment = onlyId('AWS::SecretsManager::SecretTargetAttachment');
    const readers = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((policy) =>
        (
          policy.Properties!.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }
        ).Statement.some(
          (statement) =>
            referencedId(statement.Resource) === attachment &&
            [statement.Action].flat().includes('secretsmanager:GetSecretValue'),
        ),
      )
      .flatMap((policy) => (policy.Properties!.Roles as unknown[]).map(referencedId));
    const roleOf = (name: string) => referencedId(propertiesOf(name).Role);
    expect(readers.sort()).toEqual(databaseUsers.map(roleOf).sort());
    for (const name of databaseUsers) expect(variablesOf(name).DATABASE_SECRET_ARN).toEqual(ref(attachment));
    template.hasOutput('DatabaseSecretArn', { Value: ref(attachment) });
    template.hasOutput('DatabaseEndpoint', {
      Value: {
        'Fn::Join': [
          '',
          [
            { 'Fn::GetAtt': [onlyId('AWS::RDS::DBInstance'), 'Endpoint.Address'] },
            ':',
            { 'Fn::GetAtt': [onlyId('AWS::RDS::DBInstance'), 'Endpoint.Port'] },
          ],
        ],
      },
    });
  });

  it('rotates the generated password from inside the VPC, as a client', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: ref(onlyId('AWS::SecretsManager::SecretTargetAttachment')),
      HostedRotationLambda: Match.objectLike({
        RotationType: 'PostgreSQLSingleUser',
        VpcSecurityGroupIds: groupId(clientGroup),
      }),
    });
  });

  it('keeps dev disposable and protects every other stage', () => {
    template.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        DeletionProtection: false,
        MultiAZ: false,
        DeleteAutomatedBackups: true,
      }),
    });
    const prod = synth({ database: 'rds', stage: 'prod' }).template;
    prod.hasResource('AWS::RDS::DBInstance', {
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
      Properties: Match.objectLike({
        DeletionProtection: true,
        MultiAZ: true,
        BackupRetentionPeriod: 7,
        DeleteAutomatedBackups: false,
      }),
    });
    // The snapshot needs the password it was taken with.
    prod.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });

  it('puts ingest and the authorizer (API keys, rate counters) in the VPC, and refuses Kafka, out of its reach', () => {
    expect(databaseUsers).toEqual(expect.arrayContaining(['api-key-authorizer', 'ingest']));
    expect(() => synth({ database: 'rds', kafka: kafkaContext })).toThrow(
      /database rds with kafka: ingest uses the database .* keep the default Kinesis transport/,
    );
  });

  it.each([
    ['dev', {}],
    ['prod', { stage: 'prod' }],
  ])('passes the AWS Solutions checks (%s)', (_, context) => {
    const { app } = unsynthesized({ database: 'rds', ...context });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('database secret (the default)', () => {
  it('creates no VPC, no database and keeps every function out of a VPC', () => {
    const { template: plain } = synth();
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::SecurityGroup', 'AWS::RDS::DBInstance'])
      plain.resourceCountIs(type, 0);
    for (const fn of Object.values(resourcesOf(plain, 'AWS::Lambda::Function'))) {
      expect(fn.Properties!.VpcConfig).toBeUndefined();
    }
    expect(plain.findOutputs('DatabaseEndpoint')).toEqual({});
  });
});

describe('database setting', () => {
  const load = (context: Record<string, unknown>, env: Record<string, string> = {}) =>
    loadAppConfig((key) => context[key], env);

  it('defaults to secret and reads TOP_SONGS_DATABASE', () => {
    expect(load({}).database).toBe('secret');
    expect(load({}, { TOP_SONGS_DATABASE: 'rds' }).database).toBe('rds');
    expect(load({ database: 'secret' }, { TOP_SONGS_DATABASE: 'rds' }).database).toBe('secret');
  });

  it.each([
    [
      { database: 'rds', databaseSecretArn: kafkaContext.secretArn },
      /database rds and databaseSecretArn exclude/,
    ],
    [{ database: 'aurora' }, /database/],
  ])('rejects %j with a clear message', (context, message) => {
    expect(() => load(context)).toThrow(AppConfigError);
    expect(() => load(context)).toThrow(message);
  });
});
