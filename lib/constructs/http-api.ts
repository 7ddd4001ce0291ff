import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type DeployedFunction, pascalCase } from './topology-functions.ts';

export interface TopologyHttpApiProps {
  /** Every deployed function; those with an `http` trigger get their routes. */
  readonly functions: readonly DeployedFunction[];
  /** Origins the dashboard may call the GET routes from. */
  readonly corsAllowOrigins: readonly string[];
  /** Default-stage throttling: the routes are public. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * An API Gateway HTTP API (payload format 2.0, the event the handlers parse) with one route per
 * (method, path) of the topology's http triggers, each integrated with its function.
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
      corsPreflight: {
        allowOrigins: [...props.corsAllowOrigins],
        allowMethods: [CorsHttpMethod.GET],
        allowHeaders: ['content-type'],
      },
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

    for (const { declaration, fn } of props.functions) {
      if (declaration.trigger.kind !== 'http') continue;
      const integration = new HttpLambdaIntegration(`${pascalCase(declaration.name)}Integration`, fn);
      for (const route of declaration.trigger.routes) {
        const routes = this.api.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration,
        });
        for (const added of routes) {
          Validations.of(added).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason:
              'Public by design for now, as the HTTP contract (DESIGN.md) has no authentication: the dashboard reads charts anonymously and the simulator posts plays. Stage throttling bounds abuse; an authorizer for POST /v1/plays is a later issue.',
          });
        }
      }
    }
  }
}
