import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { Alarms } from './constructs/alarms.ts';
import { HttpEndpoints } from './constructs/http-endpoints.ts';
import { LianxinFunction, type LianxinFunctionProps } from './constructs/lianxin-function.ts';
import { SendQueue } from './constructs/send-queue.ts';
import type { StageConfig } from './stage.ts';

/** What the stateless stack uses from the stateful one. */
export interface DataResources {
  readonly table: ITable;
  readonly key: IKey;
  readonly twilioSecret: ISecret;
}

export interface StatelessStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly data: DataResources;
}

/**
 * Everything that can be replaced at will: the HTTP API, the functions, the send queue, the alarms.
 *
 * To add a function (after its line in infra/function-catalog.ts), in the constructor below:
 *
 *     const statusWebhook = this.addFunction('TwilioStatusWebhook', { name: 'twilio-status-webhook' });
 *     statusWebhook.bindTable(data.table, 'readWrite').bindSecret(data.twilioSecret, 'TWILIO_SECRET_ARN');
 *     this.http.addWebhook('TwilioStatusWebhook', {
 *       methods: [HttpMethod.POST], path: '/webhooks/twilio/status', handler: statusWebhook,
 *       verifiedBy: TWILIO_SIGNATURE,
 *     });
 *
 * and a send-queue worker:
 *
 *     const sendWorker = this.addFunction('SendWorker', { name: 'send-worker', timeout: Duration.seconds(30) });
 *     sendWorker.bindTable(data.table, 'readWrite').bindSecret(data.twilioSecret, 'TWILIO_SECRET_ARN');
 *     this.sendQueue.addConsumer(sendWorker, { maxConcurrency: 2 });
 *     this.sendQueue.bindSender(smsWebhook); // a producer: sqs:SendMessage + SEND_QUEUE_URL
 */
export class StatelessStack extends Stack {
  readonly stage: StageConfig;
  readonly http: HttpEndpoints;
  readonly sendQueue: SendQueue;
  readonly alarms: Alarms;
  /** Every function of the stack, by catalog name. */
  readonly functions = new Map<string, LianxinFunction>();
  readonly #configEnv: Record<string, string>;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    const { stage, data } = props;
    super(scope, id, { description: `lianxin ${stage.name}: API, functions, send queue, alarms`, ...props });
    this.stage = stage;

    this.alarms = new Alarms(this, 'Alarms', { stage });
    this.http = new HttpEndpoints(this, 'Http', { stage });
    this.alarms.watchApi(this.http);
    this.sendQueue = new SendQueue(this, 'SendQueue', {
      encryptionKey: data.key,
      removalPolicy: stage.removalPolicy,
    });
    this.alarms.watchSendQueue(this.sendQueue, stage.sendQueueMaxAgeMinutes);

    // The configuration every function reads at cold start (lib/config.ts), less the table name and the
    // secret ARNs, which come with their grants (bindTable, bindSecret).
    this.#configEnv = {
      PUBLIC_URL: this.http.url,
      TWILIO_ACCOUNT_SID: stage.twilio.accountSid,
      TWILIO_PHONE_NUMBER: stage.twilio.phoneNumber,
      MESSAGE_LOG_TTL_DAYS: String(stage.messageLogTtlDays),
      SESSION_TTL_HOURS: String(stage.sessionTtlHours),
    };

    const smsWebhook = this.addFunction('TwilioSmsWebhook', { name: 'twilio-sms-webhook' });
    smsWebhook.bindTable(data.table, 'readWrite').bindSecret(data.twilioSecret, 'TWILIO_SECRET_ARN');
    this.http.addWebhook('TwilioSmsWebhook', {
      methods: [HttpMethod.POST],
      path: '/webhooks/twilio/sms',
      handler: smsWebhook,
      verifiedBy: TWILIO_SIGNATURE,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.http.url, description: 'PUBLIC_URL of the functions' });
    new CfnOutput(this, 'SendQueueUrl', { value: this.sendQueue.queue.queueUrl });
    new CfnOutput(this, 'SendDeadLetterQueueUrl', { value: this.sendQueue.deadLetterQueue.queueUrl });
  }

  /** A LianxinFunction with this stage's defaults and configuration, watched by the alarms. */
  addFunction(id: string, props: Omit<LianxinFunctionProps, 'stage'>): LianxinFunction {
    const fn = new LianxinFunction(this, id, {
      ...props,
      stage: this.stage,
      environment: { ...this.#configEnv, ...props.environment },
    });
    if (this.functions.has(props.name)) throw new Error(`function ${props.name} is deployed twice`);
    this.functions.set(props.name, fn);
    this.alarms.watchFunction(fn);
    return fn;
  }
}

/** Why the Twilio webhooks need no API authorizer. */
export const TWILIO_SIGNATURE =
  'the function verifies X-Twilio-Signature (HMAC-SHA1 of the exact public URL and form parameters, keyed with the auth token from Secrets Manager) and answers 403 otherwise.';
