import { RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AppConfigError, loadAppConfig } from '../../../lib/config/app-config.ts';
import { defaultRegions } from '../../../src/domain/regions.ts';
import { kafkaContext, synth } from './synth.ts';

const fromContext = (context: Record<string, unknown>) => (key: string) => context[key];
const load = (context: Record<string, unknown> = {}, env: Record<string, string> = {}) =>
  loadAppConfig(fromContext(context), env);

describe('app configuration', () => {
  it('defaults to a disposable dev stage with the default regions and nothing external', () => {
    expect(load()).toEqual({
      stage: 'dev',
      regions: [...defaultRegions],
      database: 'secret',
      databaseSecretArn: undefined,
      kafka: undefined,
      transport: 'kinesis',
      architecture: 'arm64',
      site: 'cloudfront',
      ingestCorsOrigins: [],
      openAi: { secretArn: undefined, model: undefined, baseUrl: undefined },
      alarmEmails: [],
      removalPolicy: RemovalPolicy.DESTROY,
      logRetention: 7,
    });
  });

  it('reads TOP_SONGS_ variables, and lets context win over them', () => {
    const env = {
      TOP_SONGS_STAGE: 'staging',
      TOP_SONGS_REGIONS: 'us, gb',
      TOP_SONGS_KAFKA_BOOTSTRAP_SERVERS: 'k1:9096,k2:9096',
      TOP_SONGS_KAFKA_SECRET_ARN: kafkaContext.secretArn,
    };
    expect(load({}, env)).toMatchObject({
      stage: 'staging',
      regions: ['us', 'gb'],
      kafka: { bootstrapServers: ['k1:9096', 'k2:9096'], authenticationMethod: 'SASL_SCRAM_512_AUTH' },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    expect(load({ stage: 'dev', regions: ['jp'] }, env)).toMatchObject({ stage: 'dev', regions: ['jp'] });
  });

  it('ignores the local runtime settings (REGIONS, KAFKA_BROKERS) on purpose', () => {
    expect(load({}, { REGIONS: 'us', KAFKA_BROKERS: '127.0.0.1:9092' })).toMatchObject({
      regions: [...defaultRegions],
      kafka: undefined,
    });
  });

  it('carries the topics on Kinesis unless Kafka is configured, never on nothing', () => {
    expect(load().transport).toBe('kinesis');
    expect(load({ transport: 'kinesis' }).transport).toBe('kinesis');
    expect(load({ kafka: kafkaContext }).transport).toBe('kafka');
    expect(load({ kafka: kafkaContext, transport: 'kafka' }).transport).toBe('kafka');
    expect(load({}, { TOP_SONGS_TRANSPORT: 'kinesis' }).transport).toBe('kinesis');
  });

  it('takes the origins whose pages may post plays from context or TOP_SONGS_INGEST_CORS_ORIGINS', () => {
    expect(load({ ingestCorsOrigins: ['https://app.example'] }).ingestCorsOrigins).toEqual([
      'https://app.example',
    ]);
    expect(
      load({}, { TOP_SONGS_INGEST_CORS_ORIGINS: 'https://a.example, https://b.example' }).ingestCorsOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
    // The local runtime's setting does not deploy.
    expect(load({}, { INGEST_CORS_ORIGINS: 'https://a.example' }).ingestCorsOrigins).toEqual([]);
  });

  it('takes the alarm e-mails from context or TOP_SONGS_ALARM_EMAILS', () => {
    expect(load({ alarmEmails: ['ops@example.com'] }).alarmEmails).toEqual(['ops@example.com']);
    expect(load({}, { TOP_SONGS_ALARM_EMAILS: 'a@example.com, b@example.com' }).alarmEmails).toEqual([
      'a@example.com',
      'b@example.com',
    ]);
  });

  it('accepts kafka as a JSON string, as `-c kafka=...` passes it', () => {
    expect(load({ kafka: JSON.stringify(kafkaContext) }).kafka).toEqual({
      ...kafkaContext,
      authenticationMethod: 'SASL_SCRAM_512_AUTH',
    });
  });

  it.each([
    [{ stage: 'Prod!' }, /stage/],
    [{ regions: 'us,GB' }, /regions/],
    [{ regions: ' , ' }, /at least one region/],
    [{ databaseSecretArn: 'not-an-arn' }, /databaseSecretArn/],
    [{ kafka: { bootstrapServers: ['k1:9096'] } }, /kafka\.secretArn/],
    [{ kafka: { bootstrapServers: ['k1'], secretArn: kafkaContext.secretArn } }, /host:port/],
    [{ kafka: '{not json' }, /kafka/],
    [{ kafka: { ...kafkaContext, brokers: ['k1:9096'] } }, /kafka/],
    [{ transport: 'kafka' }, /transport kafka needs the brokers/],
    [{ transport: 'embedded' }, /transport/],
    [{ transport: 'kinesis', kafka: kafkaContext }, /exclude each other/],
    [{ ingestCorsOrigins: 'https://app.example/page' }, /ingestCorsOrigins: .*without a path/],
  ])('rejects %j with a clear message', (context, message) => {
    expect(() => load(context)).toThrow(AppConfigError);
    expect(() => load(context)).toThrow(message);
  });

  it('uses a configured database secret instead of creating one', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:top-songs/database-url-AbC123';
    const openAiSecretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:top-songs/openai-XyZ789';
    const { template } = synth({ databaseSecretArn: arn, openAiSecretArn });
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DATABASE_SECRET_ARN: arn }) },
    });
    template.hasOutput('DatabaseSecretArn', { Value: arn });
  });

  it('creates a secret to fill in when none is configured, and outputs the API URL and bucket', () => {
    const { template } = synth();
    // The database URL's and the catalog job's OpenAI key's.
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.hasOutput('DatabaseSecretArn', { Description: Match.stringLikeRegexp('put-secret-value') });
    template.hasOutput('ApiUrl', Match.anyValue());
    template.hasOutput('LakeBucketName', Match.anyValue());
  });
});
