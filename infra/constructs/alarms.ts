import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type Metric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { StageConfig } from '#infra/stage.ts';
import type { HttpEndpoints } from './http-endpoints.ts';
import type { LianxinFunction } from './lianxin-function.ts';
import type { SendQueue } from './send-queue.ts';

/**
 * CloudWatch alarms, all to one SNS topic (e-mailed to `alarmEmail` when set), on 5-minute periods.
 * Most fire on the first occurrence: at this scale any error, throttle or dead letter is worth a look.
 */
export class Alarms extends Construct {
  readonly topic: Topic;
  readonly #prefix: string;

  constructor(scope: Construct, id: string, props: { stage: StageConfig }) {
    super(scope, id);
    this.#prefix = props.stage.prefix;
    // Not KMS-encrypted: CloudWatch cannot publish to a topic under an AWS-managed key, and alarm
    // notifications carry only alarm names and metric values, no personal data.
    this.topic = new Topic(this, 'Topic', { displayName: `${props.stage.prefix} alarms`, enforceSSL: true });
    if (props.stage.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.stage.alarmEmail));
    new CfnOutput(Stack.of(this), 'AlarmTopicArn', {
      value: this.topic.topicArn,
      description: 'Subscribe to be told about alarms',
    });
  }

  /** Errors and throttles of one function. */
  watchFunction(fn: LianxinFunction): void {
    this.#alarm(`${fn.catalogName}-errors`, fn.metricErrors({ statistic: Stats.SUM }), {
      description: `${fn.catalogName} threw or timed out (see its log group)`,
    });
    this.#alarm(`${fn.catalogName}-throttles`, fn.metricThrottles({ statistic: Stats.SUM }), {
      description: `${fn.catalogName} was throttled (account or reserved concurrency)`,
    });
  }

  /**
   * Anything in the dead-letter queue; a backlog that does not drain (workers stuck or gone: deferred
   * messages are invisible, so they do not count); and a message older than any deliberate deferral.
   */
  watchSendQueue(sendQueue: SendQueue, maxAgeMinutes: number): void {
    this.#alarm(
      'send-dlq-depth',
      sendQueue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM }),
      { description: 'An outbound message was dead-lettered: it will not be sent without a redrive' },
    );
    this.#alarm(
      'send-backlog-not-draining',
      sendQueue.queue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MINIMUM }),
      {
        evaluationPeriods: 3,
        description: 'Messages ready to send have waited for 15 minutes: is the send worker running?',
      },
    );
    this.#alarm(
      'send-oldest-message-age',
      sendQueue.queue.metricApproximateAgeOfOldestMessage({ statistic: Stats.MAXIMUM }),
      {
        threshold: maxAgeMinutes * 60,
        description: `The oldest queued outbound message is older than ${maxAgeMinutes} minutes`,
      },
    );
  }

  /** 5xx answers of the API: Twilio retries and then gives up on the message. */
  watchApi(endpoints: HttpEndpoints): void {
    this.#alarm('api-5xx', endpoints.api.metricServerError({ statistic: Stats.SUM }), {
      description: 'The API answered 5xx (a failed turn or an integration error)',
    });
  }

  #alarm(
    name: string,
    metric: Metric,
    opts: { description: string; threshold?: number; evaluationPeriods?: number },
  ): Alarm {
    const alarm = new Alarm(this, name, {
      alarmName: `${this.#prefix}-${name}`,
      alarmDescription: opts.description,
      metric: metric.with({ period: Duration.minutes(5) }),
      threshold: opts.threshold ?? 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: opts.evaluationPeriods ?? 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    return alarm;
  }
}
