import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  type CorsPreflightOptions,
  HttpApi,
  HttpMethod,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CORS_ALLOWED_HEADERS, CORS_MAX_AGE_SECONDS, corsOriginsFor } from '../../src/domain/http/cors.ts';
import { type FunctionName, type HttpRoute, routeAuthorizer } from '../../src/topology.ts';
import { stackOutput } from '../stack-output.ts';
import { type DeployedFunction, pascalCase } from './topology-functions.ts';

export interface TopologyHttpApiProps {
  /** Every deployed function; those with an `http` trigger get their routes. */
  readonly functions: readonly DeployedFunction[];
  /** Origins whose pages may post plays (`ingestCorsOrigins`); empty: pages may only read. */
  readonly ingestCorsOrigins: readonly string[];
  /** Default-stage throttling: the routes are public. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * An API Gateway HTTP API (payload format 2.0, the event the handlers parse) with one route per
 * (method, path) of the topology's http triggers, each integrated with its function, behind the Lambda
 * authorizer the route names (simple responses, cached per identity for the authorizer's TTL), if any.
 */
export class TopologyHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** `https://<id>.execute-api.<region>.<suffix>/`: the base the HTTP contract's paths hang off. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: TopologyHttpApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      description: 'Top Songs: plays in, charts out.',
      createDefaultStage: false,
      corsPreflight: apiCors(
        props.functions.flatMap(({ declaration }) =>
          declaration.trigger.kind === 'http' ? declaration.trigger.routes : [],
        ),
        props.ingestCorsOrigins,
      ),
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });
    this.url = this.stage.url;
    stackOutput(this, 'ApiUrl', { value: this.url, description: 'Base URL of the HTTP API (/v1/...)' });

    const authorizers = new Map<FunctionName, HttpLambdaAuthorizer>();
    const authorizerOf = (route: HttpRoute) => {
      const declaration = routeAuthorizer(route);
      if (!declaration) return undefined;
      let authorizer = authorizers.get(declaration.name);
      if (!authorizer) {
        const deployed = props.functions.find((candidate) => candidate.declaration.name === declaration.name);
        if (!deployed) throw new Error(`${route.method} ${route.path}: ${declaration.name} is not deployed`);
        authorizer = new HttpLambdaAuthorizer(pascalCase(declaration.name), deployed.fn, {
          responseTypes: [HttpLambdaResponseType.SIMPLE],
          identitySource: declaration.trigger.identityHeaders.map((header) => `$request.header.${header}`),
          resultsCacheTtl: Duration.seconds(declaration.trigger.resultsCacheTtlSeconds),
        });
        authorizers.set(declaration.name, authorizer);
      }
      return authorizer;
    };

    for (const { declaration, fn } of props.functions) {
      if (declaration.trigger.kind !== 'http') continue;
      const integration = new HttpLambdaIntegration(`${pascalCase(declaration.name)}Integration`, fn);
      for (const route of declaration.trigger.routes) {
        const authorizer = authorizerOf(route);
        const routes = this.api.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration,
          ...(authorizer ? { authorizer } : {}),
        });
        if (authorizer) continue;
        for (const added of routes) {
          Validations.of(added).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason:
              'Public and read-only by design: the dashboard reads charts and regions anonymously (docs/contracts.md). Stage throttling bounds abuse; POST /v1/plays is behind the API key authorizer.',
          });
        }
      }
    }
  }
}

/**
 * The CORS policy of src/domain/http/cors.ts as API Gateway can hold it: one setting for the whole API, not
 * one per route. So the methods some page may use, and only the origins that may use every one of them: by
 * default any origin, GET only (no page may post plays: their preflight finds no POST); with ingest origins
 * configured, only those origins, for reading and posting alike (pages elsewhere can no longer read the
 * charts, rather than every page being able to post plays).
 */
function apiCors(routes: readonly HttpRoute[], ingestOrigins: readonly string[]): CorsPreflightOptions {
  let origins: readonly string[] = ['*'];
  const methods: CorsHttpMethod[] = [];
  for (const method of new Set(routes.map((route) => route.method))) {
    const allowed = corsOriginsFor(method, ingestOrigins);
    if (allowed.length === 0) continue;
    methods.push(CorsHttpMethod[method]);
    if (allowed.includes('*')) continue;
    origins = origins.includes('*') ? allowed : origins.filter((origin) => allowed.includes(origin));
  }
  return {
    allowOrigins: [...origins],
    allowMethods: methods,
    allowHeaders: [...CORS_ALLOWED_HEADERS],
    maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
  };
}
