import { Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { functions } from '../../../src/topology.ts';
import { kafkaContext, privateBucketProperties, resourcesOf, synth, unsynthesized } from './synth.ts';

const { template, stack } = synth({ kafka: kafkaContext });

interface Statement {
  Effect: string;
  Action?: string | string[];
  Resource?: unknown;
}

/** Every statement of every identity policy in the template: AWS::IAM::Policy and inline role policies. */
function identityStatements(template: Template): Statement[] {
  const documents = [
    ...Object.values(resourcesOf(template, 'AWS::IAM::Policy')).map(
      (policy) => policy.Properties!.PolicyDocument,
    ),
    ...Object.values(resourcesOf(template, 'AWS::IAM::ManagedPolicy')).map(
      (policy) => policy.Properties!.PolicyDocument,
    ),
    ...Object.values(resourcesOf(template, 'AWS::IAM::Role')).flatMap((role) =>
      ((role.Properties!.Policies ?? []) as { PolicyDocument: unknown }[]).map(
        (policy) => policy.PolicyDocument,
      ),
    ),
  ] as { Statement: Statement[] }[];
  return documents.flatMap((document) => document.Statement);
}

describe('security', () => {
  it('keeps the lake bucket private, encrypted and TLS-only, under a generated name', () => {
    template.hasResourceProperties('AWS::S3::Bucket', privateBucketProperties);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    for (const bucket of Object.values(resourcesOf(template, 'AWS::S3::Bucket'))) {
      expect(bucket.Properties?.BucketName).toBeUndefined();
    }
  });

  it.each([
    ['self-managed Kafka', { kafka: kafkaContext }],
    [
      'Amazon MSK',
      { kafka: { ...kafkaContext, mskClusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/1' } },
    ],
    ['Kinesis, the default transport', {}],
    ['RDS', { database: 'rds' }],
    ['the site as a bucket', { site: 'bucket' }],
  ])('grants no identity policy statement on Action "*" or Resource "*" (%s)', (_, context) => {
    const statements = identityStatements(synth(context).template);
    expect(statements.length).toBeGreaterThan(0);
    const wildcard = statements.filter(
      (statement) => [statement.Action].flat().includes('*') || [statement.Resource].flat().includes('*'),
    );
    expect(wildcard).toEqual([]);
  });

  it('acknowledges routes without an authorizer (cdk-nag APIG4) only for the public GETs, never for ingest', () => {
    const acknowledged = stack.node
      .findAll()
      .filter((construct) => construct instanceof HttpRoute)
      .map((route) => {
        const rules = route.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) => Object.keys(entry.data as object));
        return `${(route as HttpRoute).path} ${rules.join(',')}`.trim();
      });
    // Expected from the topology: every route without an authorizer is a GET, acknowledged; the others not.
    const declared = functions.flatMap((fn) => (fn.trigger.kind === 'http' ? fn.trigger.routes : []));
    expect(declared.filter((route) => !route.authorizer).every((route) => route.method === 'GET')).toBe(true);
    expect(acknowledged.sort()).toEqual(
      declared
        .map((route) => (route.authorizer ? route.path : `${route.path} Annotation::AwsSolutions-APIG4`))
        .sort(),
    );
    expect(acknowledged).toContain('/v1/plays');
  });

  it('hard-codes no physical names', () => {
    const named: Record<string, string> = {
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::SecretsManager::Secret': 'Name',
      'AWS::ApiGatewayV2::Api': 'Name',
      'AWS::Events::Rule': 'Name',
    };
    for (const [type, property] of Object.entries(named)) {
      for (const [id, resource] of Object.entries(resourcesOf(template, type))) {
        // HttpApi requires a name; CDK derives it from the construct id rather than from us.
        if (type === 'AWS::ApiGatewayV2::Api') continue;
        expect(resource.Properties?.[property], `${id}.${property}`).toBeUndefined();
      }
    }
  });

  it('keeps dev data disposable and other stages retained', () => {
    const dev = synth().template;
    dev.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    dev.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
    const prod = synth({ stage: 'prod' }).template;
    prod.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    prod.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    prod.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    prod.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it.each([
    ['dev, with Kinesis, the default transport', {}],
    [
      'prod, with Kafka and a configured database secret',
      { stage: 'prod', kafka: kafkaContext, databaseSecretArn: kafkaContext.secretArn },
    ],
    [
      'dev, with Amazon MSK',
      {
        kafka: {
          ...kafkaContext,
          mskClusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/top-songs/1a2b3c4d-2',
        },
      },
    ],
  ])(
    'passes the AWS Solutions checks (%s): every finding is fixed or acknowledged with a reason',
    (_, context) => {
      const { app } = unsynthesized(context);
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      expect(() => app.synth()).not.toThrow();
    },
  );
});
