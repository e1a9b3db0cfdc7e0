import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { LianxinFunction } from '#infra/constructs/lianxin-function.ts';
import { SendQueue } from '#infra/constructs/send-queue.ts';
import { Tick } from '#infra/constructs/tick.ts';
import { dataRemovalPolicy, type StageConfig, stageConfigFrom } from '#infra/stage.ts';
import { PROD_CONTEXT } from '#tests/infra/synth.ts';

function stageOf(context: Record<string, unknown>): StageConfig {
  return stageConfigFrom(new App({ context }));
}

/** A stack with a key-encrypted table and a secret, bundling skipped. */
function fixture() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Test');
  const key = new Key(stack, 'Key', { enableKeyRotation: true });
  const table = new Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    encryption: TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
  });
  const secret = new Secret(stack, 'Secret');
  const stage = stageOf({});
  const fn = (id: string, timeout?: Duration) =>
    new LianxinFunction(stack, id, { stage, name: 'send-worker', ...(timeout ? { timeout } : {}) });
  return { stack, key, table, secret, stage, fn };
}

const statements = (stack: Stack) =>
  Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
  );

describe('LianxinFunction.bindTable', () => {
  it('grants the table actions the code sends, and a writer the key actions to encrypt, and TABLE_NAME', () => {
    const { stack, table, fn } = fixture();
    fn('Fn').bindTable(table, { table: ['dynamodb:GetItem', 'dynamodb:BatchWriteItem'] });
    const all = statements(stack);
    const dynamo = all.find((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect([dynamo?.Action].flat().sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:GetItem']);
    const kms = all.find((s) => [s.Action].flat().some((a) => a.startsWith('kms:')));
    expect([kms?.Action].flat().sort()).toEqual([
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:Encrypt',
      'kms:GenerateDataKey',
    ]);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ TABLE_NAME: { Ref: Match.stringLikeRegexp('^Table') } }),
      },
    });
  });

  it('gives a reader only the key actions to decrypt', () => {
    const { stack, table, fn } = fixture();
    fn('Fn').bindTable(table, { table: ['dynamodb:Query', 'dynamodb:Scan'] });
    const kms = statements(stack).find((s) => [s.Action].flat().some((a) => a.startsWith('kms:')));
    expect([kms?.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
  });

  it('grants Query on named indexes without a wildcard', () => {
    const { stack, table, fn } = fixture();
    fn('Fn').bindTable(table, { 'table/index/byCentre': ['dynamodb:Query'] });
    const query = statements(stack).find((s) => s.Action === 'dynamodb:Query');
    expect(JSON.stringify(query?.Resource)).toContain('/index/byCentre');
    expect(JSON.stringify(query?.Resource)).not.toContain('*');
  });

  it('grants nothing and sets no TABLE_NAME when the code sends nothing to the table', () => {
    const { stack, table, fn } = fixture();
    fn('Fn').bindTable(table, { sendQueue: ['sqs:SendMessage'] });
    expect(statements(stack).filter((s) => JSON.stringify(s.Action).includes('dynamodb:'))).toEqual([]);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('TABLE_NAME');
  });

  it('refuses to point one variable at two tables', () => {
    const { stack, table, fn } = fixture();
    const other = new Table(stack, 'Other', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    const f = fn('Fn').bindTable(table, { table: ['dynamodb:GetItem'] });
    expect(() => f.bindTable(other, { table: ['dynamodb:GetItem'] })).toThrow(/TABLE_NAME is already set/);
  });
});

describe('LianxinFunction.bindSecret', () => {
  it('grants GetSecretValue on that secret only and sets the ARN variable, not the value', () => {
    const { stack, secret, fn } = fixture();
    fn('Fn').bindSecret(secret, 'TWILIO_SECRET_ARN');
    expect(statements(stack)).toContainEqual({
      Action: 'secretsmanager:GetSecretValue',
      Effect: 'Allow',
      Resource: {
        Ref: Object.keys(Template.fromStack(stack).findResources('AWS::SecretsManager::Secret'))[0],
      },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ TWILIO_SECRET_ARN: { Ref: Match.stringLikeRegexp('^Secret') } }),
      },
    });
  });
});

describe('SendQueue', () => {
  it('attaches the consumers it is given, with partial batch failures', () => {
    const { stack, key, fn } = fixture();
    const worker = fn('Worker', Duration.seconds(20));
    new SendQueue(stack, 'Q', {
      encryptionKey: key,
      removalPolicy: RemovalPolicy.DESTROY,
      consumers: [{ fn: worker, maxConcurrency: 5, batchSize: 5 }],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    // Default visibility: six times the consumer timeout.
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 180 });
  });

  it('refuses a worker slower than its consumer timeout, and a visibility under six times it', () => {
    const { stack, key, fn } = fixture();
    const queue = new SendQueue(stack, 'Q', { encryptionKey: key, removalPolicy: RemovalPolicy.DESTROY });
    expect(() => queue.addConsumer(fn('Slow', Duration.seconds(31)))).toThrow(
      /exceeds the send queue's consumerTimeout/,
    );
    expect(
      () =>
        new SendQueue(stack, 'Q2', {
          encryptionKey: key,
          removalPolicy: RemovalPolicy.DESTROY,
          consumerTimeout: Duration.seconds(60),
          visibilityTimeout: Duration.seconds(300),
        }),
    ).toThrow(/less than 6×/);
  });

  it('lets a producer send, with the key actions an encrypted queue needs', () => {
    const { stack, key, fn } = fixture();
    const queue = new SendQueue(stack, 'Q', { encryptionKey: key, removalPolicy: RemovalPolicy.DESTROY });
    queue.bind(fn('Producer'), { sendQueue: ['sqs:SendMessage'] });
    const all = statements(stack);
    expect(all).toContainEqual(expect.objectContaining({ Action: 'sqs:SendMessage' }));
    expect(all).toContainEqual(expect.objectContaining({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'] }));
  });

  it('grants nothing on either queue to code that sends nothing to them', () => {
    const { stack, key, fn } = fixture();
    const queue = new SendQueue(stack, 'Q', { encryptionKey: key, removalPolicy: RemovalPolicy.DESTROY });
    queue.bind(fn('Reader'), { table: ['dynamodb:GetItem'] });
    expect(statements(stack).filter((s) => JSON.stringify(s.Action).includes('sqs:'))).toEqual([]);
  });
});

describe('Tick (EventBridge Scheduler)', () => {
  it('invokes the function on schedule, without retries, with a role that may invoke only it', () => {
    const { stack, fn } = fixture();
    const worker = fn('Fn');
    new Tick(stack, 'Tick', {
      fn: worker,
      schedule: ScheduleExpression.rate(Duration.minutes(5)),
      description: 'tick',
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Fn'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
      },
    });
    const invoke = statements(stack).filter((s) => s.Action === 'lambda:InvokeFunction');
    expect(invoke).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
      },
    ]);
    // The fixture's table and secret are bare; nothing the tick added may be reported.
    const reported = new AwsSolutionsChecks()
      .validateScope(stack)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));
    expect(reported.filter((r) => !/ Test\/(Table|Secret)\//.test(r))).toEqual([]);
  });
});

describe('stages', () => {
  it('default to dev, with Twilio test values and destroyable data', () => {
    const dev = stageOf({});
    expect(dev).toMatchObject({ name: 'dev', prefix: 'lianxin-dev', protectData: false, logLevel: 'DEBUG' });
    expect(dev.removalPolicy).toBe(RemovalPolicy.DESTROY);
  });

  it('prod retains data and refuses to synthesize without its real Twilio values', () => {
    expect(() => stageOf({ stage: 'prod' })).toThrow(/prod needs -c twilioAccountSid/);
    const prod = stageOf({
      stage: 'prod',
      twilioAccountSid: `AC${'f'.repeat(32)}`,
      twilioPhoneNumber: '+447700900123',
      aliyunSmsTemplateCodes: PROD_CONTEXT.aliyunSmsTemplateCodes,
    });
    expect(prod).toMatchObject({ name: 'prod', protectData: true, logLevel: 'INFO' });
    // Mainland numbers go by Alibaba Cloud unless told otherwise, and prod must name every template's code.
    expect(prod.mainlandSms.provider).toBe('aliyun');
    expect(() =>
      stageOf({ stage: 'prod', twilioAccountSid: `AC${'f'.repeat(32)}`, twilioPhoneNumber: '+447700900123' }),
    ).toThrow(/aliyunSmsTemplateCodes/);
    expect(() =>
      stageOf({
        stage: 'prod',
        twilioAccountSid: `AC${'f'.repeat(32)}`,
        twilioPhoneNumber: '+447700900123',
        aliyunSmsTemplateCodes: JSON.stringify({ LX_REPLY_ZH_1: 'SMS_1' }),
      }),
    ).toThrow(/no code for LX_REPLY_ZH_2/);
    expect(prod.removalPolicy).toBe(RemovalPolicy.RETAIN);
    // Tencent Cloud as first or second provider in prod needs its own TemplateIds and SMS application.
    const base = {
      stage: 'prod',
      twilioAccountSid: `AC${'f'.repeat(32)}`,
      twilioPhoneNumber: '+447700900123',
      aliyunSmsTemplateCodes: PROD_CONTEXT.aliyunSmsTemplateCodes,
    };
    expect(prod.mainlandSms.fallback).toBe('none');
    expect(() => stageOf({ ...base, smsFallbackProvider: 'tencent' })).toThrow(/tencentSmsTemplateIds/);
    expect(() => stageOf({ ...base, smsFallbackProvider: 'aliyun' })).toThrow(/the other domestic provider/);
    const failover = stageOf({
      ...base,
      smsFallbackProvider: 'tencent',
      tencentSmsTemplateIds: PROD_CONTEXT.tencentSmsTemplateIds,
      tencentSmsSdkAppId: PROD_CONTEXT.tencentSmsSdkAppId,
    });
    expect(failover.mainlandSms).toMatchObject({ provider: 'aliyun', fallback: 'tencent' });
  });

  it('never lets anything but dev be destroyed', () => {
    expect(dataRemovalPolicy('dev')).toBe(RemovalPolicy.DESTROY);
    expect(dataRemovalPolicy('prod')).toBe(RemovalPolicy.RETAIN);
  });

  it('reject what Twilio or the functions could not use', () => {
    expect(() => stageOf({ stage: 'staging' })).toThrow(/unknown stage/);
    expect(() => stageOf({ twilioAccountSid: 'AC123' })).toThrow(/AC \+ 32 hex/);
    expect(() => stageOf({ twilioPhoneNumber: '13800000000' })).toThrow(/E\.164/);
    expect(() => stageOf({ publicUrl: 'http://sms.example.org' })).toThrow(/https/);
    expect(() => stageOf({ publicUrl: 'https://sms.example.org/prefix' })).toThrow(/no path/);
    expect(stageOf({ publicUrl: 'https://sms.example.org/' }).publicUrl).toBe('https://sms.example.org');
    expect(() => stageOf({ alarmEmail: 'nobody' })).toThrow(/alarmEmail/);
  });
});
