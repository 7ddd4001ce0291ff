/**
 * The catalog job in the deployed app: catalog-generate runs after every deploy that creates or changes it
 * (a triggers.Trigger, asynchronous), reads its OpenAI key from a secret created empty (or configured), and
 * only it can read that secret.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { functions } from '../../../src/topology.ts';
import { referencedId, resourcesOf, synth, topologyFunctionIds } from './synth.ts';

const { template } = synth();
const ids = topologyFunctionIds(template);
const idOf = (name: string) => [...ids].find(([, fn]) => fn === name)![0];
const lambdas = resourcesOf(template, 'AWS::Lambda::Function');
const variablesOf = (name: string) =>
  (lambdas[idOf(name)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret');
const openAiSecretId = Object.entries(secrets).find(([, secret]) =>
  String(secret.Properties!.Description).includes('OpenAI'),
)![0];

describe('the catalog job', () => {
  it('is invoked asynchronously after the deploy, once the lake and the functions exist', () => {
    const triggers = resourcesOf(template, 'Custom::Trigger');
    expect(Object.keys(triggers)).toHaveLength(1);
    const [[triggerId, trigger]] = Object.entries(triggers) as [[string, (typeof triggers)[string]]];
    expect(trigger.Properties).toMatchObject({ InvocationType: 'Event', ExecuteOnHandlerChange: true });
    const version = resourcesOf(template, 'AWS::Lambda::Version')[
      referencedId(trigger.Properties!.HandlerArn)!
    ]!;
    expect(referencedId(version.Properties!.FunctionName)).toBe(idOf('catalog-generate'));
    const dependsOn = (template.toJSON().Resources[triggerId] as { DependsOn?: string[] }).DependsOn ?? [];
    expect(dependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/^LakeBucket/), idOf('catalog-sync')]),
    );
  });

  it('creates the key secret empty, {"api_key": ""}, to fill in, and outputs it', () => {
    expect(secrets[openAiSecretId]!.Properties!.SecretString).toBe('{"api_key":""}');
    template.hasOutput('OpenAiSecretArn', {
      Value: { Ref: openAiSecretId },
      Description: Match.stringLikeRegexp('put-secret-value'),
    });
  });

  it('gives the secret ARN, and a read grant on it, to catalog-generate only', () => {
    for (const declaration of functions) {
      const variables = variablesOf(declaration.name);
      if (declaration.name === 'catalog-generate')
        expect(variables.OPENAI_SECRET_ARN).toEqual({ Ref: openAiSecretId });
      else expect(variables.OPENAI_SECRET_ARN, declaration.name).toBeUndefined();
    }
    const readers = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties!.PolicyDocument).includes(`"Ref":"${openAiSecretId}"`),
    );
    expect(readers).toHaveLength(1);
    const role = referencedId((readers[0]!.Properties!.Roles as unknown[])[0]);
    expect(referencedId(lambdas[idOf('catalog-generate')]!.Properties!.Role)).toBe(role);
  });

  it('writes the lake: catalog-generate may put objects in the bucket', () => {
    const role = referencedId(lambdas[idOf('catalog-generate')]!.Properties!.Role);
    const policy = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).find(
      (candidate) => referencedId((candidate.Properties!.Roles as unknown[])[0]) === role,
    )!;
    expect(JSON.stringify(policy.Properties!.PolicyDocument)).toContain('s3:PutObject');
  });

  it('uses a configured secret, model and server instead', () => {
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:top-songs/openai-AbC123';
    const configured = synth({
      openAiSecretArn: secretArn,
      openAiModel: 'llama3.1',
      openAiBaseUrl: 'http://models.internal:11434/v1',
    }).template;
    configured.hasOutput('OpenAiSecretArn', { Value: secretArn });
    configured.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          OPENAI_SECRET_ARN: secretArn,
          OPENAI_MODEL: 'llama3.1',
          OPENAI_BASE_URL: 'http://models.internal:11434/v1',
        }),
      },
    });
    expect(() => synth({ openAiBaseUrl: 'ftp://nowhere' })).toThrow(/openAiBaseUrl/);
  });
});
