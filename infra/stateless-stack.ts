import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type { IUserPool, IUserPoolClient, UserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { Alarms } from './constructs/alarms.ts';
import { authDomainName, ConsoleSignIn } from './constructs/console-sign-in.ts';
import { OperationsDashboard } from './constructs/dashboard.ts';
import { HttpEndpoints } from './constructs/http-endpoints.ts';
import { LianxinFunction, type LianxinFunctionProps } from './constructs/lianxin-function.ts';
import { SendQueue } from './constructs/send-queue.ts';
import { Tick } from './constructs/tick.ts';
import { WebHosting } from './constructs/web-hosting.ts';
import { FUNCTION_ACCESS } from './function-access.ts';
import type { StageConfig } from './stage.ts';
import { exportsBucketName } from './stateful-stack.ts';

/** What the stateless stack uses from the stateful one. */
export interface DataResources {
  readonly table: ITable;
  readonly key: IKey;
  readonly twilioSecret: ISecret;
  readonly wechatSecret: ISecret;
  readonly aliyunSmsSecret: ISecret;
  readonly tencentSmsSecret: ISecret;
  /** Who may call the coordinators' API: the JWT authorizer's issuer (the pool) and audience (the client). */
  readonly coordinators: { readonly userPool: UserPool; readonly client: IUserPoolClient };
}

export interface StatelessStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly data: DataResources;
}

/** Why the Twilio webhooks need no API authorizer. */
export const TWILIO_SIGNATURE =
  'the function verifies X-Twilio-Signature (HMAC-SHA1 of the exact public URL and form parameters, keyed with the auth token from Secrets Manager) and answers 403 otherwise.';

/** Why the WeChat webhook needs no API authorizer. */
export const WECHAT_SIGNATURE =
  "the function verifies WeChat's signature (sha1 of the sorted Token, timestamp and nonce; in safe mode also msg_signature over the ciphertext, with the Token from Secrets Manager) and answers 403 otherwise.";

/** Why the Alibaba Cloud callbacks need no API authorizer. */
export const ALIYUN_PATH_SECRET =
  'Alibaba Cloud signs nothing it pushes: the function compares the path secret (from Secrets Manager, current or previous during rotation) in constant time and answers 404 otherwise.';

/** Why the Tencent Cloud callbacks need no API authorizer. */
export const TENCENT_PATH_SECRET =
  'Tencent Cloud signs no callback: the function compares the path secret (from Secrets Manager, current or previous during rotation) in constant time and answers 404 otherwise.';

/**
 * Everything that can be replaced at will: the HTTP API, the functions, the send queue, the alarms.
 * Each function below is one block: create it (catalog name; defaults, shared configuration and alarms
 * come with `addFunction`), grant exactly what it uses, attach its trigger. A new function also needs its
 * line in infra/function-catalog.ts (the tests fail until both exist).
 */
export class StatelessStack extends Stack {
  readonly stage: StageConfig;
  readonly http: HttpEndpoints;
  readonly sendQueue: SendQueue;
  readonly alarms: Alarms;
  /** The console: its bucket and distribution (the API under /api/*), and its Cognito sign-in. */
  readonly web: WebHosting;
  readonly signIn: ConsoleSignIn;
  readonly dashboard: OperationsDashboard;
  /** Every function of the stack, by catalog name. */
  readonly functions = new Map<string, LianxinFunction>();
  readonly #configEnv: Record<string, string>;
  readonly #table: ITable;
  readonly #userPool: IUserPool;
  readonly #exportsBucket: IBucket;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    const { stage, data } = props;
    super(scope, id, { description: `lianxin ${stage.name}: API, functions, send queue, alarms`, ...props });
    this.stage = stage;
    const { sending } = stage;

    this.alarms = new Alarms(this, 'Alarms', { stage });
    this.http = new HttpEndpoints(this, 'Http', { stage });
    this.alarms.watchApi(this.http);
    this.web = new WebHosting(this, 'Web', {
      stage,
      apiEndpoint: this.http.api.apiEndpoint,
      authDomain: authDomainName(this, stage),
    });
    this.signIn = new ConsoleSignIn(this, 'ConsoleSignIn', {
      stage,
      userPool: data.coordinators.userPool,
      consoleUrl: this.web.url,
    });
    this.alarms.watchApiErrorRate(this.http, stage);
    this.alarms.watchBusinessMetrics(stage);
    this.sendQueue = new SendQueue(this, 'SendQueue', {
      encryptionKey: data.key,
      consumerTimeout: Duration.seconds(sending.workerTimeoutSeconds),
      // The worker treats a claim older than claimTimeout as a dead worker; SQS must not redeliver sooner.
      visibilityTimeout: Duration.seconds(
        Math.max(sending.claimTimeoutSeconds * 2, sending.workerTimeoutSeconds * 6),
      ),
      // The worker dead-letters after maxAttempts claims itself (with a reason); SQS's redrive is the backstop.
      maxReceiveCount: sending.maxAttempts + 5,
      removalPolicy: stage.removalPolicy,
    });
    this.alarms.watchSendQueue(this.sendQueue, sending.maxMessageAgeMinutes);
    if (sending.claimTimeoutSeconds < sending.workerTimeoutSeconds) {
      throw new Error('sending.claimTimeoutSeconds must be at least the send worker timeout');
    }

    this.#table = data.table;
    this.#userPool = data.coordinators.userPool;
    // By name (see exportsBucketName): the grant then names it without a cross-stack reference.
    this.#exportsBucket = Bucket.fromBucketName(this, 'ExportsBucket', exportsBucketName(stage));
    // What every function reads at cold start (lib/config/core.ts), less TABLE_NAME and the secret ARNs,
    // which come with their grants (addFunction, bindSecret). Queue URLs grant nothing by themselves.
    this.#configEnv = {
      PUBLIC_URL: this.http.url,
      TWILIO_ACCOUNT_SID: stage.twilio.accountSid,
      TWILIO_PHONE_NUMBER: stage.twilio.phoneNumber,
      MESSAGE_LOG_TTL_DAYS: String(stage.messageLogTtlDays),
      SESSION_TTL_HOURS: String(stage.sessionTtlHours),
      SEND_QUEUE_URL: this.sendQueue.queue.queueUrl,
      SEND_DLQ_URL: this.sendQueue.deadLetterQueue.queueUrl,
      SEND_RATE_PER_SECOND: String(sending.ratePerSecond),
      SEND_WORKER_CONCURRENCY: String(sending.workerConcurrency),
      SEND_MAX_ATTEMPTS: String(sending.maxAttempts),
      LOOP_GUARD_LIMIT: String(sending.loopGuardLimit),
      SEND_CLAIM_TIMEOUT_SECONDS: String(sending.claimTimeoutSeconds),
      // Every function may write a due item; the tick reads DUE_INDEX_READ_SHARDS shards.
      DUE_INDEX_SHARDS: String(stage.dueIndexShards.write),
      DUE_INDEX_READ_SHARDS: String(stage.dueIndexShards.read),
    };

    // POST /webhooks/twilio/sms: one turn per inbound SMS; enqueues alerts and replies.
    // Broadcast previews (the API, and a coordinator's GB text message) estimate the cost with it.
    // They price +86 mobiles at the domestic provider's rate, so they are told which one carries them,
    // and check a notice against the templates of the fallback too (the send worker's limits).
    const smsPrice = {
      SMS_PRICE_PER_SEGMENT: String(stage.smsPrice.perSegment),
      SMS_PRICE_CURRENCY: stage.smsPrice.currency,
      SMS_PROVIDER: stage.mainlandSms.provider,
      SMS_FALLBACK_PROVIDER: stage.mainlandSms.fallback,
    };
    const smsWebhook = this.addFunction('TwilioSmsWebhook', {
      name: 'twilio-sms-webhook',
      environment: smsPrice,
    });
    smsWebhook.bindSecret(data.twilioSecret, 'TWILIO_SECRET_ARN');
    this.http.addWebhook('TwilioSmsWebhook', {
      methods: [HttpMethod.POST],
      path: '/webhooks/twilio/sms',
      handler: smsWebhook,
      verifiedBy: TWILIO_SIGNATURE,
    });

    // POST /webhooks/twilio/status: Twilio's delivery status callbacks update the message's history.
    const statusWebhook = this.addFunction('TwilioStatusWebhook', { name: 'twilio-status-webhook' });
    statusWebhook.bindSecret(data.twilioSecret, 'TWILIO_SECRET_ARN');
    this.http.addWebhook('TwilioStatusWebhook', {
      methods: [HttpMethod.POST],
      path: '/webhooks/twilio/status',
      handler: statusWebhook,
      verifiedBy: TWILIO_SIGNATURE,
    });

    // POST /webhooks/aliyun-sms/{up,report}/{secret}: carers' replies from mainland numbers (one turn each,
    // the replies enqueued as template messages) and delivery receipts. Reads the Alibaba Cloud secret
    // only (the path secret); it never sends, so it needs no AccessKey use and no Twilio secret.
    const aliyunSmsWebhook = this.addFunction('AliyunSmsWebhook', {
      name: 'aliyun-sms-webhook',
      // One push may hold up to a thousand replies; below API Gateway's 30 s integration limit.
      timeout: Duration.seconds(29),
      environment: smsPrice,
    });
    aliyunSmsWebhook.bindSecret(data.aliyunSmsSecret, 'ALIYUN_SMS_SECRET_ARN');
    for (const kind of ['up', 'report']) {
      this.http.addWebhook(`AliyunSms${kind === 'up' ? 'Up' : 'Report'}Webhook`, {
        methods: [HttpMethod.POST],
        path: `/webhooks/aliyun-sms/${kind}/{secret}`,
        handler: aliyunSmsWebhook,
        verifiedBy: ALIYUN_PATH_SECRET,
      });
    }

    // POST /webhooks/tencent-sms/{reply,status}/{secret}: a carer's reply from a mainland number (one
    // turn, the replies enqueued as template messages) and delivery status. Reads the Tencent Cloud
    // secret only (the path secret); it never sends.
    const tencentSmsWebhook = this.addFunction('TencentSmsWebhook', {
      name: 'tencent-sms-webhook',
      environment: { ...smsPrice, SMS_PROVIDER: stage.mainlandSms.provider },
    });
    tencentSmsWebhook.bindSecret(data.tencentSmsSecret, 'TENCENT_SMS_SECRET_ARN');
    for (const kind of ['reply', 'status']) {
      this.http.addWebhook(`TencentSms${kind === 'reply' ? 'Reply' : 'Status'}Webhook`, {
        methods: [HttpMethod.POST],
        path: `/webhooks/tencent-sms/${kind}/{secret}`,
        handler: tencentSmsWebhook,
        verifiedBy: TENCENT_PATH_SECRET,
      });
    }

    // GET/POST /webhooks/wechat: WeChat's server check and its messages; one turn, a passive reply in 5 s.
    // It reads the WeChat secret only (not Twilio's), enqueues alerts and late replies, and invokes
    // itself asynchronously to finish a message it answered `success` for (lib/inbound/wechat-late-replies.ts).
    const wechatWebhook = this.addFunction('WechatWebhook', {
      name: 'wechat-webhook',
      environment: smsPrice,
    });
    wechatWebhook.bindSecret(data.wechatSecret, 'WECHAT_SECRET_ARN');
    this.http.addWebhook('WechatWebhook', {
      methods: [HttpMethod.GET, HttpMethod.POST],
      path: '/webhooks/wechat',
      handler: wechatWebhook,
      verifiedBy: WECHAT_SIGNATURE,
    });

    // The send worker: drains the send queue through Twilio and WeChat, at most workerConcurrency at once.
    // It enqueues too: the SMS fallback of a message WeChat cannot deliver.
    const sendWorker = this.addFunction('SendWorker', {
      name: 'send-worker',
      timeout: Duration.seconds(sending.workerTimeoutSeconds),
      environment: {
        ...(stage.wechatTemplates === undefined ? {} : { WECHAT_TEMPLATES: stage.wechatTemplates }),
        SMS_PROVIDER: stage.mainlandSms.provider,
        SMS_FALLBACK_PROVIDER: stage.mainlandSms.fallback,
        ALIYUN_SMS_TEMPLATE_CODES: stage.mainlandSms.templateCodes,
        TENCENT_SMS_TEMPLATE_IDS: stage.mainlandSms.tencentTemplateIds,
        TENCENT_SMS_SDK_APP_ID: stage.mainlandSms.tencentSdkAppId,
      },
    });
    sendWorker
      .bindSecret(data.twilioSecret, 'TWILIO_SECRET_ARN')
      .bindSecret(data.wechatSecret, 'WECHAT_SECRET_ARN');
    // +86 mobiles go by the domestic providers (first and second): only the worker holds their keys.
    const sendsBy = (p: 'aliyun' | 'tencent') =>
      stage.mainlandSms.provider === p || stage.mainlandSms.fallback === p;
    if (sendsBy('aliyun')) sendWorker.bindSecret(data.aliyunSmsSecret, 'ALIYUN_SMS_SECRET_ARN');
    if (sendsBy('tencent')) sendWorker.bindSecret(data.tencentSmsSecret, 'TENCENT_SMS_SECRET_ARN');
    this.sendQueue.addConsumer(sendWorker, { maxConcurrency: sending.workerConcurrency });

    // The scheduler tick: every few minutes, the weekly rhythm that is due, found in the table's due
    // index (Query on that index only), enqueued like any message. Idempotent, so a missed or
    // overlapping tick is harmless: EventBridge Scheduler does not retry it, the next one catches up.
    const schedulerTick = this.addFunction('SchedulerTick', {
      name: 'scheduler-tick',
      // The tick stops taking new work 40 s before this (lib/wiring/scheduler-tick.ts).
      timeout: Duration.minutes(4),
      environment: { CHECKIN_REMINDER_HOURS: String(stage.weeklyRhythm.reminderAfterHours) },
    });
    // It only enqueues: no Twilio secret (the send worker sends).
    new Tick(this, 'SchedulerTickSchedule', {
      fn: schedulerTick,
      schedule: ScheduleExpression.rate(Duration.minutes(stage.weeklyRhythm.tickEveryMinutes)),
      description: `lianxin ${stage.name}: the weekly rhythm's scheduler tick`,
    });

    // The coordinators' API: API Gateway verifies the Cognito ID token (issuer, audience, expiry) before
    // the function runs; the function scopes everything to the token's `custom:centres`. It updates the
    // roster, alerts, tasks and messages for the child, and composes, approves and cancels broadcasts.
    // Approving a broadcast for now starts its fan-out in the request (8 s; the tick does the rest),
    // so it enqueues, and has time below API Gateway's 30 s integration limit.
    const coordinatorApi = this.addFunction('CoordinatorApi', {
      name: 'coordinator-api',
      timeout: Duration.seconds(25),
      environment: smsPrice,
    });
    this.http.addAuthorizedRoute('CoordinatorApi', {
      methods: [HttpMethod.ANY],
      path: '/api/{proxy+}',
      handler: coordinatorApi,
      authorizer: new HttpJwtAuthorizer(
        'CoordinatorsAuthorizer',
        data.coordinators.userPool.userPoolProviderUrl,
        {
          // The console's managed-login client, and the SRP client (scripts, the CLI).
          jwtAudience: [this.signIn.client.userPoolClientId, data.coordinators.client.userPoolClientId],
          identitySource: ['$request.header.Authorization'],
        },
      ),
    });

    new CfnOutput(this, 'ConsoleUrl', { value: this.web.url, description: "The coordinators' console" });
    new CfnOutput(this, 'ConsoleSignInDomain', { value: `https://${this.signIn.domainName}` });
    new CfnOutput(this, 'ConsoleClientId', { value: this.signIn.client.userPoolClientId });
    // The stage's one dashboard, over every function above and the business metrics they emit.
    this.dashboard = new OperationsDashboard(this, 'Operations', {
      stage,
      functions: [...this.functions.values()],
      sendQueue: this.sendQueue,
      http: this.http,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.http.url, description: 'PUBLIC_URL of the functions' });
    new CfnOutput(this, 'SendQueueUrl', { value: this.sendQueue.queue.queueUrl });
    new CfnOutput(this, 'SendDeadLetterQueueUrl', { value: this.sendQueue.deadLetterQueue.queueUrl });
  }

  /**
   * A LianxinFunction with this stage's defaults and the shared configuration, watched by the alarms,
   * granted exactly what its code sends to the table, the queues and itself (infra/function-access.ts,
   * from its wiring). Secrets come with `bindSecret`, triggers with their constructs.
   */
  addFunction(id: string, props: Omit<LianxinFunctionProps, 'stage'>): LianxinFunction {
    if (this.functions.has(props.name)) throw new Error(`function ${props.name} is deployed twice`);
    const fn = new LianxinFunction(this, id, {
      ...props,
      stage: this.stage,
      environment: { ...this.#configEnv, ...props.environment },
    });
    const access = FUNCTION_ACCESS[props.name];
    const known = new Set(['table', 'sendQueue', 'deadLetterQueue', 'self', 'userPool', 'exportBucket']);
    const unknown = Object.keys(access).filter((t) => !known.has(t) && !t.startsWith('table/index/'));
    if (unknown.length > 0) throw new Error(`${props.name}: no resource for ${unknown.join(', ')}`);
    fn.bindTable(this.#table, access).bindSelfInvoke(access).bindExportBucket(this.#exportsBucket, access);
    // The coordinators' user pool (centre admins' invitations): the actions on this pool only.
    if (access.userPool?.length) {
      fn.addToRolePolicy(
        new PolicyStatement({ actions: [...access.userPool], resources: [this.#userPool.userPoolArn] }),
      );
      fn.setEnv('COORDINATORS_USER_POOL_ID', this.#userPool.userPoolId);
    }
    this.sendQueue.bind(fn, access);
    this.functions.set(props.name, fn);
    this.alarms.watchFunction(fn);
    return fn;
  }
}
