import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { type FunctionDeclaration, functions, type TopicTrigger, topics } from '../../../src/topology.ts';
import { kafkaContext, referencedId, resourcesOf, synth, topologyFunctionIds } from './synth.ts';

/** EventBridge's spelling of a fixed rate. */
const rate = (minutes: number) => (minutes === 1 ? 'rate(1 minute)' : `rate(${minutes} minutes)`);

/** The event source mapping settings a topic trigger declares, the same for Kafka, MSK and Kinesis. */
function declaredDelivery(trigger: TopicTrigger) {
  return {
    BatchSize: trigger.batchSize,
    MaximumBatchingWindowInSeconds: trigger.batchWindowSeconds,
    MaximumRetryAttempts: Number.isFinite(trigger.maxAttempts) ? trigger.maxAttempts - 1 : -1,
    // No limit: left out, which is Lambda's -1 (the dead-letter counter waits out any outage).
    ...(Number.isFinite(trigger.maxRecordAgeSeconds)
      ? { MaximumRecordAgeInSeconds: trigger.maxRecordAgeSeconds }
      : {}),
    BisectBatchOnFunctionError: trigger.splitBatchOnError,
    StartingPosition: 'TRIM_HORIZON',
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  };
}

/** "function ← trigger" for every trigger the topology declares; an authorizer is triggered by its routes. */
function declaredPairs(declarations: readonly FunctionDeclaration[]): string[] {
  return declarations.flatMap(({ name, trigger }) => {
    if (trigger.kind === 'http')
      return trigger.routes.flatMap((route) => [
        `${name} ← http ${route.method} ${route.path}`,
        ...(route.authorizer ? [`${route.authorizer} ← authorizer of ${route.method} ${route.path}`] : []),
      ]);
    if (trigger.kind === 'schedule') return [`${name} ← schedule ${rate(trigger.everyMinutes)}`];
    if (trigger.kind === 'authorizer') return [];
    if (trigger.kind === 'deploy') return [`${name} ← deploy`];
    return [`${name} ← topic ${trigger.topic}`];
  });
}

/** The function a Lambda integration or authorizer URI invokes (`arn:…:function/<Fn::GetAtt fn.Arn>/invocations`). */
function invokedFunctionId(uri: unknown): string | undefined {
  const parts = (uri as { 'Fn::Join': [string, unknown[]] })['Fn::Join']?.[1] ?? [uri];
  return parts
    .filter((part) => typeof part === 'object' && part !== null && 'Fn::GetAtt' in part)
    .map(referencedId)[0];
}

/** "function ← trigger" for every route, rule and event source mapping in a synthesized template. */
function synthesizedPairs(template: Template): string[] {
  const names = topologyFunctionIds(template);
  const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration');
  const authorizers = resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer');
  const pairs: string[] = [];
  for (const route of Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route'))) {
    const target = route.Properties!.Target as { 'Fn::Join': [string, [string, unknown]] };
    const integration = integrations[referencedId(target['Fn::Join'][1][1])!]!;
    pairs.push(
      `${names.get(referencedId(integration.Properties!.IntegrationUri)!)} ← http ${route.Properties!.RouteKey}`,
    );
    const authorizerId = referencedId(route.Properties!.AuthorizerId);
    if (authorizerId) {
      const uri = authorizers[authorizerId]!.Properties!.AuthorizerUri;
      pairs.push(`${names.get(invokedFunctionId(uri)!)} ← authorizer of ${route.Properties!.RouteKey}`);
    }
  }
  for (const rule of Object.values(resourcesOf(template, 'AWS::Events::Rule'))) {
    for (const target of rule.Properties!.Targets as { Arn: unknown }[]) {
      pairs.push(`${names.get(referencedId(target.Arn)!)} ← schedule ${rule.Properties!.ScheduleExpression}`);
    }
  }
  const streams = resourcesOf(template, 'AWS::Kinesis::Stream');
  for (const mapping of Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping'))) {
    // Kafka mappings name their topics; a Kinesis one its stream, `top-songs-<stage>-<topic>`.
    const stream = streams[referencedId(mapping.Properties!.EventSourceArn) ?? ''];
    const topics = stream
      ? [String(stream.Properties!.Name).replace(/^top-songs-[a-z0-9]+-/, '')]
      : (mapping.Properties!.Topics as string[]);
    for (const topic of topics) {
      pairs.push(`${names.get(referencedId(mapping.Properties!.FunctionName)!)} ← topic ${topic}`);
    }
  }
  // A trigger invokes a version of its function (HandlerArn: Ref of an AWS::Lambda::Version).
  const versions = resourcesOf(template, 'AWS::Lambda::Version');
  for (const trigger of Object.values(resourcesOf(template, 'Custom::Trigger'))) {
    const version = versions[referencedId(trigger.Properties!.HandlerArn)!]!;
    pairs.push(`${names.get(referencedId(version.Properties!.FunctionName)!)} ← deploy`);
  }
  return pairs;
}

const withKafka = synth({ kafka: kafkaContext });

describe('triggers', () => {
  it('wires exactly the (function, trigger) pairs src/topology.ts declares', () => {
    expect(synthesizedPairs(withKafka.template).sort()).toEqual(declaredPairs(functions).sort());
  });

  it('routes each HTTP route of the topology to its function through a payload 2.0 integration', () => {
    for (const declaration of functions) {
      if (declaration.trigger.kind !== 'http') continue;
      for (const route of declaration.trigger.routes) {
        withKafka.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: `${route.method} ${route.path}`,
          AuthorizationType: route.authorizer ? 'CUSTOM' : 'NONE',
        });
      }
    }
    withKafka.template.allResourcesProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });

  it('puts the API key authorizer in front of POST /v1/plays only: simple responses, cached per key', () => {
    const routes = Object.values(resourcesOf(withKafka.template, 'AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties!,
    );
    expect(
      routes.filter((route) => route.AuthorizationType === 'CUSTOM').map((route) => route.RouteKey),
    ).toEqual(['POST /v1/plays']);
    for (const route of routes.filter((candidate) => candidate.AuthorizationType !== 'CUSTOM')) {
      expect(String(route.RouteKey)).toMatch(/^GET /);
      expect(route.AuthorizerId).toBeUndefined();
    }
    const authorizers = Object.values(resourcesOf(withKafka.template, 'AWS::ApiGatewayV2::Authorizer'));
    expect(authorizers.map((authorizer) => authorizer.Properties)).toEqual([
      expect.objectContaining({
        AuthorizerType: 'REQUEST',
        AuthorizerPayloadFormatVersion: '2.0',
        EnableSimpleResponses: true,
        IdentitySource: ['$request.header.Authorization'],
        AuthorizerResultTtlInSeconds: 60,
      }),
    ]);
    // API Gateway may invoke the authorizer function, from this API's authorizers only.
    const ids = topologyFunctionIds(withKafka.template);
    const authorizerFn = [...ids].find(([, name]) => name === 'api-key-authorizer')![0];
    withKafka.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [authorizerFn, 'Arn'] },
      SourceArn: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/authorizers/')])],
      }),
    });
  });

  it('serves the routes from an auto-deployed default stage with throttling and access logs', () => {
    withKafka.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
    });
    withKafka.template.hasOutput('ApiUrl', Match.anyValue());
  });

  it('lets any page read charts and regions, and no page post plays, by default', () => {
    withKafka.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowMethods: ['GET'],
        AllowOrigins: ['*'],
        AllowHeaders: ['content-type', 'authorization'],
        MaxAge: 600,
      },
    });
  });

  it('lets only the configured origins post plays from a page, and narrows reading to them (one CORS setting per API)', () => {
    const origins = ['https://app.example', 'https://admin.example'];
    synth({ kafka: kafkaContext, ingestCorsOrigins: origins }).template.hasResourceProperties(
      'AWS::ApiGatewayV2::Api',
      { CorsConfiguration: { AllowMethods: ['POST', 'GET'], AllowOrigins: origins } },
    );
    synth({ kafka: kafkaContext, ingestCorsOrigins: '*' }).template.hasResourceProperties(
      'AWS::ApiGatewayV2::Api',
      { CorsConfiguration: { AllowMethods: ['POST', 'GET'], AllowOrigins: ['*'] } },
    );
  });

  it('schedules each job at its declared rate with a bounded retry', () => {
    const ids = topologyFunctionIds(withKafka.template);
    for (const declaration of functions) {
      if (declaration.trigger.kind !== 'schedule') continue;
      const fnId = [...ids].find(([, name]) => name === declaration.name)![0];
      withKafka.template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: rate(declaration.trigger.everyMinutes),
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] }, RetryPolicy: Match.anyValue() })],
      });
    }
  });

  it('lets the lake-writer wait out an unavailable lake: no attempt limit, dead letters at 6 hours, bisecting', () => {
    // docs/decisions.md, "Lake-writer retries: wait out the lake"; the same with Kafka and with Kinesis.
    for (const template of [withKafka.template, synth({ transport: 'kinesis' }).template]) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        MaximumRetryAttempts: -1,
        MaximumRecordAgeInSeconds: 21_600,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });

  it('feeds topic consumers from Kafka with the batching and attempts their trigger declares', () => {
    for (const declaration of functions) {
      const trigger = declaration.trigger;
      if (trigger.kind !== 'topic') continue;
      const topic = Object.values(topics).find((candidate) => candidate.name === trigger.topic)!;
      withKafka.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        Topics: [trigger.topic],
        ...declaredDelivery(trigger),
        DestinationConfig: { OnFailure: { Destination: `kafka://${topics.deadLetters.name}` } },
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: topic.partitions },
        SelfManagedEventSource: { Endpoints: { KafkaBootstrapServers: kafkaContext.bootstrapServers } },
        SourceAccessConfigurations: [{ Type: 'SASL_SCRAM_512_AUTH', URI: kafkaContext.secretArn }],
      });
    }
  });
  it('reads the plays topic twice, the lake-writer and the live chart, each in its own consumer group', () => {
    const mappings = Object.values(resourcesOf(withKafka.template, 'AWS::Lambda::EventSourceMapping')).filter(
      (mapping) => (mapping.Properties!.Topics as string[]).includes(topics.plays.name),
    );
    const names = topologyFunctionIds(withKafka.template);
    expect(mappings.map((m) => names.get(referencedId(m.Properties!.FunctionName)!)).sort()).toEqual([
      'lake-writer',
      'live-chart',
    ]);
    // No group named: Lambda gives each mapping a group of its own, so neither takes the other's records.
    for (const mapping of mappings) {
      expect(JSON.stringify(mapping.Properties)).not.toContain('ConsumerGroupId');
    }
  });
});

describe('triggers of a plain synth (no transport settings): the Kinesis transport', () => {
  // What a plain `cdk deploy` gets: never consumers without an event source, never the embedded transport.
  const { template } = synth();
  const streams = resourcesOf(template, 'AWS::Kinesis::Stream');
  const streamIdNamed = (name: string) =>
    Object.entries(streams).find(([, stream]) => stream.Properties!.Name === name)?.[0];

  it('wires exactly the (function, trigger) pairs src/topology.ts declares, topic consumers included', () => {
    expect(functions.some((fn) => fn.trigger.kind === 'topic')).toBe(true);
    expect(synthesizedPairs(template).sort()).toEqual(declaredPairs(functions).sort());
  });

  it('creates one encrypted stream per topic, with a shard per partition', () => {
    for (const topic of [topics.plays, topics.deadLetters]) {
      const name =
        topic === topics.plays
          ? `top-songs-dev-${topics.plays.name}`
          : `top-songs-dev-${topics.plays.name}-dlq`;
      template.hasResourceProperties('AWS::Kinesis::Stream', {
        Name: name,
        ShardCount: topic.partitions,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      });
    }
  });

  it('feeds topic consumers from their stream with the declared batching, attempts and a failure queue', () => {
    const queues = Object.keys(resourcesOf(template, 'AWS::SQS::Queue'));
    for (const declaration of functions) {
      const trigger = declaration.trigger;
      if (trigger.kind !== 'topic') continue;
      const mapping = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).find(
        (candidate) =>
          topologyFunctionIds(template).get(referencedId(candidate.Properties!.FunctionName)!) ===
          declaration.name,
      );
      expect(mapping, declaration.name).toBeDefined();
      expect(mapping!.Properties).toMatchObject({
        ...declaredDelivery(trigger),
      });
      expect(referencedId(mapping!.Properties!.EventSourceArn)).toBe(
        streamIdNamed(`top-songs-dev-${trigger.topic}`),
      );
      const destination = (mapping!.Properties!.DestinationConfig as { OnFailure: { Destination: unknown } })
        .OnFailure.Destination;
      expect(queues).toContain(referencedId(destination));
    }
  });

  it('gives the producing functions the stream name and write grants on its two streams only', () => {
    const ids = topologyFunctionIds(template);
    const lambdas = resourcesOf(template, 'AWS::Lambda::Function');
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy'));
    for (const [id, name] of ids) {
      const variables = (lambdas[id]!.Properties!.Environment as { Variables: Record<string, unknown> })
        .Variables;
      const producer = functions.find((fn) => fn.name === name)!.trigger.kind === 'http' && name === 'ingest';
      expect(variables.KINESIS_STREAM, name).toBe(
        producer ? `top-songs-dev-${topics.plays.name}` : undefined,
      );
      expect(variables.KAFKA_BROKERS, name).toBeUndefined();
      const role = referencedId(lambdas[id]!.Properties!.Role);
      const statements = policies
        .filter((policy) => (policy.Properties!.Roles as unknown[]).some((r) => referencedId(r) === role))
        .flatMap(
          (policy) =>
            (
              policy.Properties!.PolicyDocument as {
                Statement: { Action: string | string[]; Resource: unknown }[];
              }
            ).Statement,
        );
      const writes = statements.filter((statement) =>
        [statement.Action].flat().includes('kinesis:PutRecords'),
      );
      if (!producer) {
        expect(writes, name).toEqual([]);
        continue;
      }
      expect(writes.flatMap((statement) => [statement.Resource].flat().map(referencedId)).sort()).toEqual(
        [
          streamIdNamed(`top-songs-dev-${topics.plays.name}`),
          streamIdNamed(`top-songs-dev-${topics.plays.name}-dlq`),
        ].sort(),
      );
    }
  });

  it('outputs the stream, and says which transport feeds the consumers', () => {
    template.hasOutput('KinesisStream', { Value: `top-songs-dev-${topics.plays.name}` });
    template.hasOutput('Transport', { Value: Match.stringLikeRegexp('^Kinesis: ') });
  });
  it('reads the plays stream twice: the lake-writer and the live chart, each with its own mapping', () => {
    const names = topologyFunctionIds(template);
    const readers = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping'))
      .filter(
        (mapping) =>
          referencedId(mapping.Properties!.EventSourceArn) ===
          streamIdNamed(`top-songs-dev-${topics.plays.name}`),
      )
      .map((mapping) => names.get(referencedId(mapping.Properties!.FunctionName)!));
    expect(readers.sort()).toEqual(['lake-writer', 'live-chart']);
  });
});

describe('triggers with Amazon MSK', () => {
  const mskClusterArn =
    'arn:aws:kafka:eu-west-1:123456789012:cluster/top-songs/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2';
  const { template } = synth({ kafka: { ...kafkaContext, mskClusterArn } });

  it('feeds topic consumers from the cluster through MSK event sources with the declared settings', () => {
    for (const declaration of functions) {
      const trigger = declaration.trigger;
      if (trigger.kind !== 'topic') continue;
      const topic = Object.values(topics).find((candidate) => candidate.name === trigger.topic)!;
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: mskClusterArn,
        Topics: [trigger.topic],
        ...declaredDelivery(trigger),
        DestinationConfig: { OnFailure: { Destination: `kafka://${topics.deadLetters.name}` } },
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: topic.partitions },
        SourceAccessConfigurations: [{ Type: 'SASL_SCRAM_512_AUTH', URI: kafkaContext.secretArn }],
        SelfManagedEventSource: Match.absent(),
      });
    }
  });

  it('lets the consumers describe the cluster, and names MSK as the transport', () => {
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy'));
    const statements = policies.flatMap(
      (policy) =>
        (
          policy.Properties!.PolicyDocument as {
            Statement: { Action: string | string[]; Resource: unknown }[];
          }
        ).Statement,
    );
    expect(
      statements.some(
        (statement) =>
          [statement.Action].flat().includes('kafka:DescribeCluster') &&
          [statement.Resource].flat().includes(mskClusterArn),
      ),
    ).toBe(true);
    template.hasOutput('Transport', { Value: `Amazon MSK: ${mskClusterArn}` });
  });

  it('refuses MSK with an authentication method its event sources do not take', () => {
    expect(() =>
      synth({ kafka: { ...kafkaContext, mskClusterArn, authenticationMethod: 'BASIC_AUTH' } }),
    ).toThrow(/SASL_SCRAM_512_AUTH/);
  });
});
