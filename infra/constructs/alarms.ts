import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  type Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { StageConfig } from '#infra/stage.ts';
import { METRIC } from '#lib/observability/metric-names.ts';
import { businessMetric, DEPLOYED_CHANNELS } from './business-metric.ts';
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

  /**
   * Failure rates and the failures that must never pass unseen, from the business metrics: one
   * channel's messages failing for good; an inbound message given up after its last replay (issue:
   * nothing said is lost); due items the tick fails on two ticks running.
   */
  watchBusinessMetrics(stage: StageConfig): void {
    const { metricsNamespace: ns, sendFailureRatePercent, minVolumeForRate } = stage.observability;
    for (const channel of DEPLOYED_CHANNELS) {
      const rate = new MathExpression({
        // Percent of the channel's outcomes that failed, once there are enough of them to mean anything.
        expression: `IF((FILL(sent, 0) + FILL(failed, 0)) >= ${minVolumeForRate}, 100 * FILL(failed, 0) / (FILL(sent, 0) + FILL(failed, 0)), 0)`,
        usingMetrics: {
          sent: businessMetric(ns, METRIC.messagesSent, { channel }),
          failed: businessMetric(ns, METRIC.messagesFailed, { channel }),
        },
        label: `${channel} failure rate (%)`,
        period: Duration.minutes(5),
      });
      this.#alarm(`send-failure-rate-${channel}`, rate, {
        threshold: sendFailureRatePercent,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        description: `More than ${sendFailureRatePercent}% of ${channel} messages failed for good in 2 of the last 3 five-minute periods (see the dashboard's failures by code)`,
      });
    }
    this.#alarm('unprocessed-gave-up', businessMetric(ns, METRIC.unprocessedGaveUp), {
      description:
        "A carer's message failed every replay: it is listed for coordinators (GET /api/unprocessed) and needs a person",
    });
    this.#alarm('tick-errors', businessMetric(ns, METRIC.tickErrors), {
      evaluationPeriods: 2,
      description:
        'The scheduler tick failed on due items on two ticks running (they stay due; see its log group)',
    });
  }

  /** The share of the API's requests (webhooks and coordinators) answered 5xx, beyond the single 5xx. */
  watchApiErrorRate(endpoints: HttpEndpoints, stage: StageConfig): void {
    const { serverErrorRatePercent, minVolumeForRate } = stage.observability;
    const rate = new MathExpression({
      expression: `IF(FILL(requests, 0) >= ${minVolumeForRate}, 100 * FILL(errors, 0) / requests, 0)`,
      usingMetrics: {
        requests: endpoints.api.metricCount({ statistic: Stats.SUM }),
        errors: endpoints.api.metricServerError({ statistic: Stats.SUM }),
      },
      label: '5xx rate (%)',
      period: Duration.minutes(5),
    });
    this.#alarm('api-5xx-rate', rate, {
      threshold: serverErrorRatePercent,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description: `More than ${serverErrorRatePercent}% of requests answered 5xx in 2 of the last 3 five-minute periods: Twilio and WeChat give up on messages they cannot deliver`,
    });
  }

  #alarm(
    name: string,
    metric: Metric | MathExpression,
    opts: { description: string; threshold?: number; evaluationPeriods?: number; datapointsToAlarm?: number },
  ): Alarm {
    const alarm = new Alarm(this, name, {
      alarmName: `${this.#prefix}-${name}`,
      alarmDescription: opts.description,
      metric: metric.with({ period: Duration.minutes(5) }),
      threshold: opts.threshold ?? 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: opts.evaluationPeriods ?? 1,
      ...(opts.datapointsToAlarm ? { datapointsToAlarm: opts.datapointsToAlarm } : {}),
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    return alarm;
  }
}
