import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionAccess } from '../../../lib/function-access.ts';
import { projectRoot } from '../../../lib/project-root.ts';
import { defaultRegions } from '../../../src/domain/regions.ts';
import { functions, topics } from '../../../src/topology.ts';
import { kafkaContext, referencedId, resourcesOf, synth, topologyFunctionIds } from './synth.ts';

const { template, config } = synth({ kafka: kafkaContext });
const ids = topologyFunctionIds(template);
const idOf = (name: string) => [...ids].find(([, fn]) => fn === name)?.[0];
const lambdas = resourcesOf(template, 'AWS::Lambda::Function');

describe('topology functions', () => {
  it('deploys exactly one Lambda function per topology declaration', () => {
    expect([...ids.values()].sort()).toEqual(functions.map((fn) => fn.name).sort());
  });

  it.each(functions.map((declaration) => [declaration.name, declaration] as const))(
    '%s runs on Node 24, ARM64, with the declared memory and timeout',
    (name, declaration) => {
      const properties = lambdas[idOf(name)!]!.Properties!;
      expect(properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: declaration.memoryMb,
        Timeout: declaration.timeoutSeconds,
        Description: declaration.description,
      });
      expect(properties.FunctionName).toBeUndefined();
    },
  );

  it('points every function at an entry that exists in the repository', () => {
    for (const declaration of functions)
      expect(existsSync(resolve(projectRoot, declaration.entry))).toBe(true);
  });

  it('gives every function the lake URI, the regions and the topic names', () => {
    for (const declaration of functions) {
      const variables = (lambdas[idOf(declaration.name)!]!.Properties!.Environment as { Variables: object })
        .Variables;
      expect(variables).toMatchObject({
        LAKE_URI: { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^LakeBucket/) }, '/']] },
        REGIONS: defaultRegions.join(','),
        TOPIC_PLAYS: topics.plays.name,
        TOPIC_DEAD_LETTERS: topics.deadLetters.name,
      });
    }
  });

  it('gives DATABASE_SECRET_ARN and the Kafka brokers only to the functions that use them', () => {
    for (const declaration of functions) {
      const access = functionAccess[declaration.name];
      const variables = (lambdas[idOf(declaration.name)!]!.Properties!.Environment as { Variables: object })
        .Variables as Record<string, unknown>;
      expect('DATABASE_SECRET_ARN' in variables, declaration.name).toBe(access.database);
      expect('KAFKA_BROKERS' in variables, declaration.name).toBe(access.kafkaProducer);
    }
  });

  it('keeps each function log group for a set retention', () => {
    for (const declaration of functions) {
      const logGroupId = referencedId(
        (lambdas[idOf(declaration.name)!]!.Properties!.LoggingConfig as { LogGroup: unknown }).LogGroup,
      );
      const logGroup = resourcesOf(template, 'AWS::Logs::LogGroup')[logGroupId!];
      expect(logGroup?.Properties?.RetentionInDays).toBe(config.logRetention);
    }
  });
});

describe('grants', () => {
  const policies = resourcesOf(template, 'AWS::IAM::Policy');
  const roleOf = (name: string) => referencedId(lambdas[idOf(name)!]!.Properties!.Role);
  /** Every action a function's role may take on the lake bucket. */
  const lakeActions = (name: string): string[] =>
    Object.values(policies)
      .filter((policy) =>
        (policy.Properties!.Roles as unknown[]).some((role) => referencedId(role) === roleOf(name)),
      )
      .flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((statement) => JSON.stringify(statement.Resource).includes('LakeBucket'))
      .flatMap((statement) => [statement.Action].flat());

  it.each(functions.map((declaration) => [declaration.name] as const))(
    '%s may touch the lake only as its access says',
    (name) => {
      const actions = lakeActions(name);
      const access = functionAccess[name];
      expect(actions.includes('s3:GetObject*'), 'read').toBe(access.lake !== 'none');
      expect(actions.includes('s3:PutObject'), 'write').toBe(access.lake === 'readWrite');
    },
  );

  it.each(functions.map((declaration) => [declaration.name] as const))(
    '%s may delete lake objects only as a writer, or the restatement marks only as a chart job',
    (name) => {
      const deletes = Object.values(policies)
        .filter((policy) =>
          (policy.Properties!.Roles as unknown[]).some((role) => referencedId(role) === roleOf(name)),
        )
        .flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement)
        .filter((statement) => JSON.stringify(statement.Resource).includes('LakeBucket'))
        .filter((statement) => [statement.Action].flat().includes('s3:DeleteObject*'))
        .map((statement) => JSON.stringify(statement.Resource));
      const access = functionAccess[name];
      if (access.lake === 'readWrite') expect(deletes.some((r) => r.includes('"/*"'))).toBe(true);
      else if (access.clearsRestatementMarks) {
        expect(deletes).toHaveLength(1);
        expect(deletes[0]).toContain('/restatements/*');
      } else expect(deletes).toEqual([]);
    },
  );

  it('lets exactly the database users read the database secret', () => {
    const [secretId] = Object.keys(resourcesOf(template, 'AWS::SecretsManager::Secret'));
    const secretReaders = Object.values(policies)
      .filter((policy) =>
        (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement.some(
          (statement) =>
            // One statement may grant several secrets (ingest reads the Kafka secret too).
            [statement.Resource].flat().some((resource) => referencedId(resource) === secretId) &&
            [statement.Action].flat().includes('secretsmanager:GetSecretValue'),
        ),
      )
      .flatMap((policy) => (policy.Properties!.Roles as unknown[]).map(referencedId));
    const expected = functions.filter((fn) => functionAccess[fn.name].database).map((fn) => roleOf(fn.name));
    expect(secretReaders.sort()).toEqual(expected.sort());
  });
});

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
}

describe('function architecture', () => {
  it('builds every function for x86_64 when asked', () => {
    const x86 = synth({ architecture: 'x86_64' }).template;
    const x86Lambdas = resourcesOf(x86, 'AWS::Lambda::Function');
    const topologyIds = [...topologyFunctionIds(x86).keys()];
    expect(topologyIds).toHaveLength(functions.length);
    for (const id of topologyIds) expect(x86Lambdas[id]!.Properties!.Architectures).toEqual(['x86_64']);
  });

  it('rejects an architecture Lambda does not offer', () => {
    expect(() => synth({ architecture: 'sparc' })).toThrow(/architecture/);
  });
});
