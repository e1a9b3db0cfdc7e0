import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  type HttpMethod,
  type HttpRoute,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StageConfig } from '#infra/stage.ts';

/** One JSON line per request: enough to trace a webhook, nothing personal (no body, no query). */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
} as const;

export interface HttpRouteProps {
  readonly methods: readonly HttpMethod[];
  /** e.g. `/webhooks/twilio/sms`; the same path as locally. */
  readonly path: string;
  readonly handler: IFunction;
}

export interface WebhookRouteProps extends HttpRouteProps {
  /**
   * How the function authenticates each request, since the caller (Twilio, WeChat) cannot present API
   * credentials: recorded as the reason the route has no API Gateway authorizer.
   */
  readonly verifiedBy: string;
}

export interface AuthorizedRouteProps extends HttpRouteProps {
  readonly authorizer: IHttpRouteAuthorizer;
  readonly authorizationScopes?: readonly string[];
}

/**
 * The HTTP API (API Gateway v2) on its `$default` stage, so paths are the same as locally and as the
 * URL Twilio signs: stage-wide throttling, JSON access logs. Each route gets a stack output with its
 * full URL (`<Id>Url`), which is what you paste into Twilio or WeChat.
 */
export class HttpEndpoints extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /** Base URL without a trailing slash: the custom domain when configured, else execute-api. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: { stage: StageConfig }) {
    super(scope, id);
    const { stage } = props;
    this.api = new HttpApi(this, 'Api', {
      apiName: stage.prefix,
      description: `lianxin ${stage.name}: webhooks (Twilio, later WeChat) and the coordinators' API`,
      createDefaultStage: false,
      // Only the console's own origins, and only for the API's methods and headers. API Gateway answers
      // the preflight itself, before any authorizer; browsers then send the token as usual.
      ...(stage.consoleOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...stage.consoleOrigins],
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
              allowHeaders: ['authorization', 'content-type'],
              exposeHeaders: ['content-disposition'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: stage.apiThrottle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.url =
      stage.publicUrl ??
      `https://${this.api.apiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
  }

  /** A route the caller signs (Twilio, WeChat): no API authorizer, the function verifies the signature. */
  addWebhook(id: string, props: WebhookRouteProps): HttpRoute[] {
    const routes = this.#addRoutes(id, props);
    for (const route of routes) {
      const reason = `Webhook called by a third party that cannot hold API credentials; ${props.verifiedBy}`;
      Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
      Validations.of(route).acknowledge({ id: 'AwsSolutions-COG4', reason });
    }
    return routes;
  }

  /** A route behind an authorizer (the coordinators' `/api`, JWT). */
  addAuthorizedRoute(id: string, props: AuthorizedRouteProps): HttpRoute[] {
    return this.#addRoutes(id, props, props.authorizer, props.authorizationScopes);
  }

  #addRoutes(
    id: string,
    props: HttpRouteProps,
    authorizer?: IHttpRouteAuthorizer,
    authorizationScopes?: readonly string[],
  ): HttpRoute[] {
    const routes = this.api.addRoutes({
      path: props.path,
      methods: [...props.methods],
      integration: new HttpLambdaIntegration(`${id}Integration`, props.handler),
      authorizer,
      authorizationScopes: authorizationScopes ? [...authorizationScopes] : undefined,
    });
    new CfnOutput(Stack.of(this), `${id}Url`, {
      value: `${this.url}${props.path}`,
      description: `${props.methods.join('/')} ${props.path}`,
    });
    return routes;
  }
}
