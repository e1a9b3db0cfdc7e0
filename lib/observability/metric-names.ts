// The business metrics lianxin emits, by name and the dimensions each carries. The CloudWatch
// dashboard and alarms (infra/constructs/dashboard.ts, alarms.ts) are built from these constants, and
// an infra test checks that every metric the code records is on the dashboard.

/**
 * The `service` dimension every business metric carries, the same in every function: a check-in
 * counts the same whichever webhook took it, so the dashboard and alarms read one series per metric
 * (the function itself is in the logs and traces, POWERTOOLS_SERVICE_NAME).
 */
export const METRICS_SERVICE = 'lianxin';

export const METRIC = {
  /** A carer started a weekly check-in run (the first question was asked). Dimension: channel. */
  checkinsStarted: 'CheckinsStarted',
  /** A child's weekly check-in was completed. Dimension: channel. */
  checkinsCompleted: 'CheckinsCompleted',
  /** Answers stored (one per child and item). Dimension: channel. */
  answers: 'Answers',
  /** Messages the provider accepted. Dimension: channel. */
  messagesSent: 'MessagesSent',
  /** Messages that failed for good (not resent). Dimension: channel (the alarm's). */
  messagesFailed: 'MessagesFailed',
  /** The same failures by cause. Dimensions: channel, errorCode. */
  messagesFailedByCode: 'MessagesFailedByCode',
  /** Alerts raised to a centre's coordinators. Dimension: channel (the carer's). */
  alertsRaised: 'AlertsRaised',
  /** Alerts a coordinator acknowledged (API or text). No dimension. */
  alertsAcknowledged: 'AlertsAcknowledged',
  /** Recipients a broadcast's fan-out enqueued. No dimension. */
  broadcastRecipients: 'BroadcastRecipients',
  /** Schedule entries the tick found due. No dimension. */
  tickDue: 'TickDue',
  /** Due entries the tick handled (enqueued, rescheduled or dropped). No dimension. */
  tickProcessed: 'TickProcessed',
  /** Tick units or steps that failed (the alarm's). No dimension. */
  tickErrors: 'TickErrors',
  /** UNPROCESSED inbound messages a replay turned into a committed turn. No dimension. */
  unprocessedReplayed: 'UnprocessedReplayed',
  /** UNPROCESSED inbound messages whose last replay failed (the alarm's: > 0 pages). No dimension. */
  unprocessedGaveUp: 'UnprocessedGaveUp',
  /** An SMS went by the fallback provider because the first failed. Dimension: provider (the one used). */
  smsFailover: 'SmsProviderFailover',
} as const;

export type MetricKey = keyof typeof METRIC;
export type MetricName = (typeof METRIC)[MetricKey];

export const METRIC_NAMES: readonly MetricName[] = Object.values(METRIC);
