import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_LOG_FIELDS } from '#infra/constructs/http-endpoints.ts';
import { FUNCTION_ACCESS } from '#infra/function-access.ts';
import { FUNCTION_NAMES, FUNCTIONS } from '#infra/function-catalog.ts';
import { stageConfigFrom } from '#infra/stage.ts';
import { broadcastPricing } from '#lib/config/broadcast.ts';
import { loadConfig } from '#lib/config/core.ts';
import { loadMainlandSmsSettings } from '#lib/config/mainland-sms.ts';
import { mainlandTemplateCarriers } from '#lib/config/mainland-sms-prices.ts';
import { MAX_VARIABLE_CHARS } from '#lib/domain/sms-templates.ts';
import { rolePoliciesOf } from '#tests/support/role-policies.ts';
import {
  type DeployedFunction,
  deployedFunctions,
  PROD_CONTEXT,
  resolvedEnvironment,
  root,
  type Synthesized,
  synthesize,
} from './synth.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

let dev: Synthesized;
let prod: Synthesized;
let t: Template;
let functions: DeployedFunction[];

beforeAll(() => {
  dev = synthesize();
  prod = synthesize({ ...PROD_CONTEXT, publicUrl: 'https://sms.lianxin.example.org/' });
  t = prod.templates.stateless;
  functions = deployedFunctions(prod);
});

/** The functions that preview broadcasts (the API, and GB by SMS and WeChat): they need the SMS prices and template limits. */
const PREVIEWING_FUNCTIONS: readonly string[] = [
  'coordinator-api',
  'twilio-sms-webhook',
  'wechat-webhook',
  'aliyun-sms-webhook',
  'tencent-sms-webhook',
];
describe('functions', () => {
  it('deploys every entry point in functions/, each once, and nothing else', () => {
    const files = readdirSync(join(root, 'functions')).filter((f) => f.endsWith('.ts'));
    expect(files.map((f) => `functions/${f}`).sort()).toEqual(
      FUNCTION_NAMES.map((n) => FUNCTIONS[n].entry).sort(),
    );
    expect(functions.map((f) => f.name).sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  it('run Node.js 22 on ARM64 from an ESM bundle, traced, logging JSON to their own log group', () => {
    for (const fn of functions) {
      const props = resource(t, fn.logicalId).Properties;
      expect(props).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
    }
  });

  it('answer webhooks within 10 s; the send worker gets 30 s, the API 25 s (inline broadcast fan-out)', () => {
    const timeouts = Object.fromEntries(
      functions.map((f) => [f.name, resource(t, f.logicalId).Properties.Timeout]),
    );
    expect(timeouts).toEqual({
      'twilio-sms-webhook': 10,
      'twilio-status-webhook': 10,
      // A push of up to a thousand replies, below API Gateway's 30 s integration limit.
      'aliyun-sms-webhook': 29,
      'tencent-sms-webhook': 10,
      'wechat-webhook': 10,
      'send-worker': 30,
      // Below API Gateway's 30 s integration limit.
      'coordinator-api': 25,
      // The tick stops taking new work 40 s before its timeout.
      'scheduler-tick': 240,
    });
  });

  it('keep their logs for a year in prod (retained) and a month in dev', () => {
    const prodGroups = t.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(prodGroups)).toHaveLength(functions.length + 1); // + API access logs
    for (const group of Object.values(prodGroups)) {
      expect(group).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365 } });
    }
    for (const group of Object.values(dev.templates.stateless.findResources('AWS::Logs::LogGroup'))) {
      expect(group).toMatchObject({ DeletionPolicy: 'Delete', Properties: { RetentionInDays: 30 } });
    }
  });

  it('get the configuration lib/config/core.ts requires, and no secret value among it', () => {
    for (const fn of functions) {
      const env = resolvedEnvironment(fn);
      expect(env).toMatchObject({
        LIANXIN_ENV: 'aws',
        POWERTOOLS_SERVICE_NAME: fn.name,
        LOG_LEVEL: 'INFO',
        PUBLIC_URL: 'https://sms.lianxin.example.org',
        TWILIO_ACCOUNT_SID: PROD_CONTEXT.twilioAccountSid,
        TWILIO_PHONE_NUMBER: PROD_CONTEXT.twilioPhoneNumber,
      });
      expect(Object.keys(env)).not.toContain('TWILIO_AUTH_TOKEN');
      // Loading the source map at every cold start is what `npm run stack-trace` replaces.
      expect(Object.keys(env)).not.toContain('NODE_OPTIONS');
      expect(fn.variables.TABLE_NAME).toEqual(crossStackRef());
      // The WeChat and Alibaba Cloud webhooks, the tick and the coordinators' API never talk to Twilio.
      const noTwilio = [
        'wechat-webhook',
        'aliyun-sms-webhook',
        'tencent-sms-webhook',
        'scheduler-tick',
        'coordinator-api',
      ];
      if (noTwilio.includes(fn.name)) {
        expect(fn.variables.TWILIO_SECRET_ARN).toBeUndefined();
      } else expect(fn.variables.TWILIO_SECRET_ARN).toEqual(crossStackRef());
      if (fn.name === 'wechat-webhook' || fn.name === 'send-worker') {
        expect(fn.variables.WECHAT_SECRET_ARN).toEqual(crossStackRef());
      } else expect(fn.variables.WECHAT_SECRET_ARN).toBeUndefined();
      // The Alibaba Cloud secret: the path secret for its webhook, the AccessKey for the send worker.
      if (fn.name === 'aliyun-sms-webhook' || fn.name === 'send-worker') {
        expect(fn.variables.ALIYUN_SMS_SECRET_ARN).toEqual(crossStackRef());
      } else expect(fn.variables.ALIYUN_SMS_SECRET_ARN).toBeUndefined();
      // The Tencent Cloud secret likewise: its webhook's path secret, the worker's key (the second provider).
      if (fn.name === 'tencent-sms-webhook' || fn.name === 'send-worker') {
        expect(fn.variables.TENCENT_SMS_SECRET_ARN).toEqual(crossStackRef());
      } else expect(fn.variables.TENCENT_SMS_SECRET_ARN).toBeUndefined();
      // What the function does at cold start: the secret supplies the auth token, then lib/config/core.ts.
      const config = loadConfig({
        ...env,
        AWS_REGION: 'us-east-1',
        TWILIO_AUTH_TOKEN: 'an-auth-token-from-secrets',
      });
      // Those that preview broadcasts get the SMS price (in AWS there is no default).
      if (PREVIEWING_FUNCTIONS.includes(fn.name)) {
        expect(broadcastPricing(config, env)).toEqual({ perSegment: 0.0113, currency: 'USD' });
      } else expect(() => broadcastPricing(config, env)).toThrow(/SMS_PRICE_PER_SEGMENT/);
    }
    for (const fn of deployedFunctions(dev)) expect(fn.variables.LOG_LEVEL).toBe('DEBUG');
  });

  it('start with the mainland SMS settings they need: the worker sends by Alibaba Cloud, its webhook holds the path secret', async () => {
    const secret = JSON.stringify({
      accessKeyId: 'LTAI-key-id',
      accessKeySecret: 'key-secret',
      callbackSecret: 'a-generated-callback-secret-of-40-characters',
      previousCallbackSecret: '',
    });
    const worker = functions.find((f) => f.name === 'send-worker') as DeployedFunction;
    // prod here fails over to Tencent Cloud: the worker reads that provider's secret as well.
    const tencentSecret = JSON.stringify({
      secretId: 'AKID',
      secretKey: 'k',
      callbackSecret: 'c'.repeat(40),
    });
    const sending = await loadMainlandSmsSettings(
      { LIANXIN_ENV: 'aws' },
      { ...resolvedEnvironment(worker), ALIYUN_SMS_SECRET_ARN: 'arn', TENCENT_SMS_SECRET_ARN: 'tencent' },
      async (arn) => (arn === 'tencent' ? tencentSecret : secret),
    );
    expect(sending.provider).toBe('aliyun');
    expect(sending.aliyun?.templateCodes).toEqual(JSON.parse(PROD_CONTEXT.aliyunSmsTemplateCodes));
    const webhook = functions.find((f) => f.name === 'aliyun-sms-webhook') as DeployedFunction;
    const callbacks = await loadMainlandSmsSettings(
      { LIANXIN_ENV: 'aws' },
      { ...resolvedEnvironment(webhook), ALIYUN_SMS_SECRET_ARN: 'arn' },
      async () => secret,
      { sending: false },
    );
    expect(callbacks.aliyunCallbackSecrets).toEqual(['a-generated-callback-secret-of-40-characters']);
  });

  it('fail over to Tencent Cloud in the worker, with its key from its own secret; its webhook holds its path secret', async () => {
    const secrets: Record<string, string> = {
      aliyun: JSON.stringify({
        accessKeyId: 'LTAI-key-id',
        accessKeySecret: 'key-secret',
        callbackSecret: 'a-generated-callback-secret-of-40-characters',
      }),
      tencent: JSON.stringify({
        secretId: 'AKID-tencent',
        secretKey: 'tencent-key',
        callbackSecret: 'a-generated-tencent-secret-of-40-characters',
        previousCallbackSecret: '',
      }),
    };
    const worker = functions.find((f) => f.name === 'send-worker') as DeployedFunction;
    const sending = await loadMainlandSmsSettings(
      { LIANXIN_ENV: 'aws' },
      { ...resolvedEnvironment(worker), ALIYUN_SMS_SECRET_ARN: 'aliyun', TENCENT_SMS_SECRET_ARN: 'tencent' },
      async (arn) => secrets[arn] as string,
    );
    expect(sending.fallback).toBe('tencent');
    expect(sending.tencent).toMatchObject({
      secretId: 'AKID-tencent',
      sdkAppId: PROD_CONTEXT.tencentSmsSdkAppId,
    });
    expect(sending.tencent?.templateIds).toEqual(JSON.parse(PROD_CONTEXT.tencentSmsTemplateIds));
    const webhook = functions.find((f) => f.name === 'tencent-sms-webhook') as DeployedFunction;
    const callbacks = await loadMainlandSmsSettings(
      { LIANXIN_ENV: 'aws' },
      { ...resolvedEnvironment(webhook), TENCENT_SMS_SECRET_ARN: 'tencent' },
      async (arn) => secrets[arn] as string,
      { sending: false },
    );
    expect(callbacks.tencentCallbackSecrets).toEqual(['a-generated-tencent-secret-of-40-characters']);

    // A broadcast is checked against the providers and limits the worker will send by, first and second.
    const sendsBy = [sending.provider, sending.fallback].flatMap(
      (p): { provider: string; maxVariableChars?: number }[] =>
        p === 'aliyun'
          ? [{ provider: p, maxVariableChars: MAX_VARIABLE_CHARS }]
          : p === 'tencent'
            ? [{ provider: p, maxVariableChars: sending.tencent?.maxVariableChars }]
            : [],
    );
    expect(sendsBy).toHaveLength(2);
    for (const name of PREVIEWING_FUNCTIONS) {
      const fn = functions.find((f) => f.name === name) as DeployedFunction;
      expect(mainlandTemplateCarriers({ LIANXIN_ENV: 'aws' }, resolvedEnvironment(fn))).toEqual(sendsBy);
    }
  });
});

describe('permissions', () => {
  it("give each role what its code sends, on the target it sends it to, from its wiring's access", () => {
    // The derivation itself is checked from the other side: against each bundle's SDK commands
    // (tests/infra/bundles.test.ts) and by the integration suite's IAM-enforcing clients.
    const policies = rolePoliciesOf(prod);
    // What the SQS event source grants its consumer on the queue (receiving and deleting).
    const eventSource = [
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
    ];
    for (const fn of functions) {
      const access = FUNCTION_ACCESS[fn.name] as Record<string, string[]>;
      const policy = policies[fn.name];
      const targets = new Set([...Object.keys(access), ...Object.keys(policy)]);
      for (const target of targets) {
        if (['*', 'logs', 'key', 'secret'].includes(target) || target.startsWith('other:')) continue;
        const fromSource = fn.name === 'send-worker' && target === 'sendQueue' ? eventSource : [];
        expect([fn.name, target, policy[target]]).toEqual([
          fn.name,
          target,
          [...new Set([...(access[target] ?? []), ...fromSource])].sort(),
        ]);
      }
      expect(Object.keys(policy).filter((k) => k.startsWith('other:'))).toEqual([]);
      expect(policy['*']).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      // Every function writes the table, so it gets the key actions to encrypt.
      expect(policy.key).toEqual(
        expect.arrayContaining(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey']),
      );
    }
    // The secrets: Twilio's for the Twilio webhooks, WeChat's for its webhook, Alibaba Cloud's for its
    // webhook (the path secret); the worker all three; the API and the tick talk to no provider.
    const secrets = (name: string) =>
      statementsOf(name)
        .filter((st) => st.Action === 'secretsmanager:GetSecretValue')
        .flatMap((st) => [st.Resource].flat()).length;
    expect(Object.fromEntries(functions.map((f) => [f.name, secrets(f.name)]))).toEqual({
      'twilio-sms-webhook': 1,
      'twilio-status-webhook': 1,
      'wechat-webhook': 1,
      'send-worker': 4,
      'coordinator-api': 0,
      'scheduler-tick': 0,
      'aliyun-sms-webhook': 1,
      'tencent-sms-webhook': 1,
    });
    // The queue's actions only where the code sends to it: the status webhook never enqueues.
    expect(policies['twilio-status-webhook'].sendQueue).toBeUndefined();
    expect(policies['scheduler-tick']['table/index/due']).toEqual(['dynamodb:Query']);
  });

  it('have no wildcard action anywhere, and Resource "*" only for X-Ray, which AWS requires', () => {
    for (const s of [dev, prod]) {
      for (const template of [s.templates.stateful, s.templates.stateless]) {
        for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
          for (const st of policy.Properties.PolicyDocument.Statement as Statement[]) {
            const actions = [st.Action].flat();
            for (const action of actions) expect(action).not.toMatch(/\*/);
            if (st.Resource === '*' || [st.Resource].flat().includes('*')) {
              expect(actions.every((a) => a.startsWith('xray:'))).toBe(true);
            }
          }
        }
        expect(template.findResources('AWS::IAM::ManagedPolicy')).toEqual({});
      }
    }
  });

  it('use one role per function, assumable by Lambda only, with no managed policies', () => {
    const all = Object.values(t.findResources('AWS::IAM::Role'));
    // The one other role: EventBridge Scheduler's, to invoke the scheduler tick (see below).
    const roles = all.filter((r) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('lambda.'),
    );
    expect(roles).toHaveLength(functions.length);
    expect(all).toHaveLength(functions.length + 1);
    for (const role of roles) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    }
  });
});

describe('scheduler tick', () => {
  it('runs every 5 minutes on EventBridge Scheduler, not retried, whose role may invoke the tick only', () => {
    const tick = functions.find((f) => f.name === 'scheduler-tick') as DeployedFunction;
    t.resourceCountIs('AWS::Scheduler::Schedule', 1);
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [tick.logicalId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
      },
    });
    const invoke = Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((st) => st.Action === 'lambda:InvokeFunction');
    expect(invoke.map((st) => st.Resource)).toContainEqual({ 'Fn::GetAtt': [tick.logicalId, 'Arn'] });
    expect(tick.variables.CHECKIN_REMINDER_HOURS).toBe('24');
  });
});

describe('HTTP API', () => {
  it('has the webhook routes, no authorizer (the functions verify signatures), Lambda proxy v2', () => {
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([
      'ANY /api/{proxy+}',
      'GET /webhooks/wechat',
      'POST /webhooks/aliyun-sms/report/{secret}',
      'POST /webhooks/aliyun-sms/up/{secret}',
      'POST /webhooks/tencent-sms/reply/{secret}',
      'POST /webhooks/tencent-sms/status/{secret}',
      'POST /webhooks/twilio/sms',
      'POST /webhooks/twilio/status',
      'POST /webhooks/wechat',
    ]);
    for (const route of routes.filter((r) => String(r.RouteKey).includes('/webhooks/')))
      expect(route.AuthorizationType).toBe('NONE');
    t.allResourcesProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });

  it("puts the coordinators' API behind a JWT authorizer: the Cognito pool's issuer, its client as audience", () => {
    const authorizers = Object.entries(t.findResources('AWS::ApiGatewayV2::Authorizer'));
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0] as [string, { Properties: Record<string, unknown> }];
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      // The console's managed-login client (this stack), the SRP client and the pool's provider URL
      // (https://cognito-idp.<region>…) from the stateful stack.
      JwtConfiguration: {
        Audience: [{ Ref: logicalIdOf(t, 'AWS::Cognito::UserPoolClient') }, crossStackRef()],
        Issuer: crossStackRef(),
      },
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'ANY /api/{proxy+}',
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: authorizerId },
    });
  });

  it('lets API Gateway invoke each function on its own route only', () => {
    const permissions = Object.values(t.findResources('AWS::Lambda::Permission')).map((p) => p.Properties);
    expect(permissions).toHaveLength(9);
    expect(
      permissions.map((p) => JSON.stringify(p.SourceArn)).filter((a) => a.includes('/*/*/api/')),
    ).toHaveLength(1);
    const arns = permissions.map((p) => JSON.stringify(p.SourceArn));
    expect(arns.some((a) => a.includes('/*/*/webhooks/twilio/sms'))).toBe(true);
    expect(arns.some((a) => a.includes('/*/*/webhooks/twilio/status'))).toBe(true);
    expect(arns.filter((a) => a.includes('/*/*/webhooks/wechat'))).toHaveLength(2);
    expect(arns.filter((a) => a.includes('/*/*/webhooks/aliyun-sms/'))).toHaveLength(2);
    expect(arns.filter((a) => a.includes('/*/*/webhooks/tencent-sms/'))).toHaveLength(2);
    for (const p of permissions) expect(p.Principal).toBe('apigateway.amazonaws.com');
  });

  it('serves the $default stage with throttling and JSON access logs', () => {
    t.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
        Format: JSON.stringify(ACCESS_LOG_FIELDS),
      },
    });
    dev.templates.stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
    });
  });

  it("allows CORS for the console's own origins only, and not at all when none is set", () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://console.lianxin.example.org'],
        AllowMethods: ['GET', 'POST', 'OPTIONS'],
        AllowHeaders: ['authorization', 'content-type'],
        ExposeHeaders: ['content-disposition'],
        MaxAge: 3600,
      },
    });
    for (const api of Object.values(dev.templates.stateless.findResources('AWS::ApiGatewayV2::Api'))) {
      expect(api.Properties.CorsConfiguration).toBeUndefined();
    }
    expect(() => stageConfigFrom(new App({ context: { consoleOrigins: 'https://*.example.org' } }))).toThrow(
      /consoleOrigins/,
    );
    expect(() =>
      stageConfigFrom(new App({ context: { consoleOrigins: 'http://console.example.org' } })),
    ).toThrow(/consoleOrigins/);
  });

  it('outputs the URLs to paste into Twilio: the custom domain when set, else execute-api', () => {
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.TwilioSmsWebhookUrl?.Value).toBe('https://sms.lianxin.example.org/webhooks/twilio/sms');
    expect(outputs.TwilioStatusWebhookUrl?.Value).toBe(
      'https://sms.lianxin.example.org/webhooks/twilio/status',
    );
    const devUrl = JSON.stringify(
      (dev.templates.stateless.toJSON().Outputs as Record<string, { Value: unknown }>).TwilioSmsWebhookUrl
        ?.Value,
    );
    expect(devUrl).toContain('.execute-api.');
    expect(devUrl).toContain('/webhooks/twilio/sms');
  });
});

describe('send queue', () => {
  it('is KMS-encrypted with the data key, with a dead-letter queue after 10 receives', () => {
    const queues = t.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(2);
    const key = { 'Fn::GetStackOutput': Match.objectLike({ StackName: 'lianxin-prod-stateful' }) };
    t.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: key,
      KmsDataKeyReusePeriodSeconds: 3600,
      VisibilityTimeout: 240,
      MessageRetentionPeriod: 4 * 86400,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
        maxReceiveCount: 10,
      },
    });
    t.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: key,
      MessageRetentionPeriod: 14 * 86400,
      RedrivePolicy: Match.absent(),
    });
    for (const q of Object.values(queues)) expect(q).toMatchObject({ DeletionPolicy: 'Retain' });
  });

  it('has a visibility timeout of at least six times the worker timeout', () => {
    const worker = functions.find((f) => f.name === 'send-worker') as DeployedFunction;
    const timeout = resource(t, worker.logicalId).Properties.Timeout as number;
    const visibility = Object.values(t.findResources('AWS::SQS::Queue')).find(
      (q) => q.Properties.RedrivePolicy,
    )?.Properties.VisibilityTimeout as number;
    expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('refuses plain HTTP on both queues', () => {
    const policies = Object.values(t.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      expect(p.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          Principal: { AWS: '*' },
        }),
      );
    }
  });

  it('drives the send worker with partial batch failures and capped concurrency', () => {
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    const worker = functions.find((f) => f.name === 'send-worker') as DeployedFunction;
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: worker.logicalId },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(worker.variables.SEND_WORKER_CONCURRENCY).toBe('2');
  });
});

describe('alarms', () => {
  it('watch every function (errors, throttles), the queue (DLQ, backlog, age), the API (5xx) and the business metrics', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const byName = Object.fromEntries(alarms.map((a) => [a.AlarmName as string, a]));
    const expected = [
      ...FUNCTION_NAMES.flatMap((n) => [`lianxin-prod-${n}-errors`, `lianxin-prod-${n}-throttles`]),
      'lianxin-prod-send-dlq-depth',
      'lianxin-prod-send-backlog-not-draining',
      'lianxin-prod-send-oldest-message-age',
      'lianxin-prod-api-5xx',
      'lianxin-prod-api-5xx-rate',
      'lianxin-prod-send-failure-rate-sms',
      'lianxin-prod-send-failure-rate-wechat',
      'lianxin-prod-unprocessed-gave-up',
      'lianxin-prod-tick-errors',
    ];
    expect(Object.keys(byName).sort()).toEqual(expected.sort());
    const topic = { Ref: logicalIdOf(t, 'AWS::SNS::Topic') };
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        AlarmActions: [topic],
        OKActions: [topic],
        TreatMissingData: 'notBreaching',
      });
      // A rate alarm is metric math: each of its metrics is on 5-minute periods.
      const periods = alarm.Metrics
        ? (alarm.Metrics as { MetricStat?: { Period: number } }[]).flatMap((m) =>
            m.MetricStat ? [m.MetricStat.Period] : [],
          )
        : [alarm.Period];
      expect(new Set(periods)).toEqual(new Set([300]));
    }
    expect(byName['lianxin-prod-send-dlq-depth']).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
    });
    expect(byName['lianxin-prod-send-oldest-message-age']).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 13 * 3600,
    });
    expect(byName['lianxin-prod-send-backlog-not-draining']).toMatchObject({
      Statistic: 'Minimum',
      EvaluationPeriods: 3,
    });
    expect(byName['lianxin-prod-twilio-sms-webhook-errors']).toMatchObject({
      MetricName: 'Errors',
      Threshold: 1,
    });
    expect(byName['lianxin-prod-send-worker-throttles']).toMatchObject({ MetricName: 'Throttles' });
  });

  it('go to a TLS-only topic, e-mailed when alarmEmail is set', () => {
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: PROD_CONTEXT.alarmEmail,
    });
    dev.templates.stateless.resourceCountIs('AWS::SNS::Subscription', 0);
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

it('the stateless stack holds nothing but the above', () => {
  const types = Object.values(t.toJSON().Resources as Resources)
    .map((r) => r.Type)
    .filter((type) => type !== 'AWS::CDK::Metadata');
  const counts = Object.fromEntries(
    [...new Set(types)].map((type) => [type, types.filter((x) => x === type).length]),
  );
  const n = FUNCTION_NAMES.length;
  expect(counts).toEqual({
    'AWS::Lambda::Function': n,
    'AWS::IAM::Role': n + 1, // + EventBridge Scheduler's, to invoke the tick
    'AWS::IAM::Policy': n + 3, // + the WeChat webhook's and the tick's self-invocations, + the scheduler's invoke
    'AWS::Logs::LogGroup': n + 1,
    'AWS::CloudWatch::Alarm': 2 * n + 9,
    'AWS::CloudWatch::Dashboard': 1,
    'AWS::ApiGatewayV2::Api': 1,
    'AWS::ApiGatewayV2::Stage': 1,
    'AWS::ApiGatewayV2::Route': 9,
    // One per route, but one for WeChat's GET and POST.
    'AWS::ApiGatewayV2::Integration': 8,
    'AWS::ApiGatewayV2::Authorizer': 1,
    'AWS::Lambda::Permission': 9,
    'AWS::Lambda::EventSourceMapping': 1,
    'AWS::SQS::Queue': 2,
    'AWS::SQS::QueuePolicy': 2,
    'AWS::SNS::Topic': 1,
    'AWS::SNS::TopicPolicy': 1,
    'AWS::SNS::Subscription': 1,
    'AWS::Scheduler::Schedule': 1,
    // The console (infra/constructs/web-hosting.ts, console-sign-in.ts; tests/infra/web-hosting.test.ts).
    'AWS::S3::Bucket': 2,
    'AWS::S3::BucketPolicy': 2,
    'AWS::CloudFront::Distribution': 1,
    'AWS::CloudFront::OriginAccessControl': 1,
    'AWS::CloudFront::ResponseHeadersPolicy': 1,
    'AWS::CloudFront::Function': 1,
    'AWS::Cognito::UserPoolDomain': 1,
    'AWS::Cognito::UserPoolClient': 1,
    'AWS::Cognito::ManagedLoginBranding': 1,
  });
});

/** For vitest's toEqual: a reference to the stateful stack (a weak cross-stack reference). */
function crossStackRef() {
  return { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'lianxin-prod-stateful' }) };
}

function resource(template: Template, id: string) {
  const found = (template.toJSON().Resources as Resources)[id];
  if (!found) throw new Error(`no resource ${id}`);
  return found;
}

function logicalIdOf(
  template: Template,
  type: string,
  where: (p: Record<string, unknown>) => boolean = () => true,
) {
  const ids = Object.entries(template.findResources(type))
    .filter(([, r]) => where(r.Properties))
    .map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

/** The statements of a function's role policy, without Effect (all Allow). */
function statementsOf(name: string) {
  const fn = functions.find((f) => f.name === name) as DeployedFunction;
  const role = (resource(t, fn.logicalId).Properties.Role as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ][0];
  const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role),
  );
  if (policies.length === 0) throw new Error(`no policy for ${name}`);
  const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  return statements.map(({ Effect, ...rest }) => {
    expect(Effect).toBe('Allow');
    return rest;
  });
}
