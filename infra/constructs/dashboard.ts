import { Duration } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { StageConfig } from '#infra/stage.ts';
import { METRIC, METRICS_SERVICE, type MetricName } from '#lib/observability/metric-names.ts';
import { businessMetric, DEPLOYED_CHANNELS } from './business-metric.ts';
import type { HttpEndpoints } from './http-endpoints.ts';
import type { LianxinFunction } from './lianxin-function.ts';
import type { SendQueue } from './send-queue.ts';

export interface OperationsDashboardProps {
  readonly stage: StageConfig;
  readonly functions: readonly LianxinFunction[];
  readonly sendQueue: SendQueue;
  readonly http: HttpEndpoints;
}

/**
 * One CloudWatch dashboard for the stage: the week's business (check-ins, answers, alerts), the send
 * path by channel and failure code, the tick, replays of kept messages, and the functions, queue and
 * API beneath them. Every business metric comes from lib/observability/metric-names.ts.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const ns = props.stage.observability.metricsNamespace;
    const m = (name: MetricName, label: string, dims = {}) => businessMetric(ns, name, dims, label);
    const byChannel = (name: MetricName, what: string) =>
      DEPLOYED_CHANNELS.map((channel) => m(name, `${what} (${channel})`, { channel }));
    // All values of one dimension, whatever they are (failure codes, providers): a search, graph only.
    const search = (name: MetricName, dims: readonly string[], label: string) =>
      new MathExpression({
        expression: `SEARCH('{${ns},${['service', ...dims].join(',')}} MetricName="${name}" service="${METRICS_SERVICE}"', 'Sum', 300)`,
        usingMetrics: {},
        label,
        period: Duration.minutes(5),
      });
    const graph = (title: string, left: IMetric[], width = 8) =>
      new GraphWidget({ title, left, width, height: 6, stacked: false });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${props.stage.prefix}-operations`,
      defaultInterval: Duration.days(7),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# lianxin ${props.stage.name}\nBusiness metrics in \`${ns}\` (5-minute sums); the functions, send queue and API below them.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('Check-ins', [
        ...byChannel(METRIC.checkinsStarted, 'started'),
        ...byChannel(METRIC.checkinsCompleted, 'completed'),
      ]),
      graph('Answers', byChannel(METRIC.answers, 'answers')),
      graph('Alerts', [
        ...byChannel(METRIC.alertsRaised, 'raised'),
        m(METRIC.alertsAcknowledged, 'acknowledged'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Messages sent and failed', [
        ...byChannel(METRIC.messagesSent, 'sent'),
        ...byChannel(METRIC.messagesFailed, 'failed'),
      ]),
      graph('Failures by channel and code', [
        search(METRIC.messagesFailedByCode, ['channel', 'errorCode'], 'failed'),
      ]),
      graph('Broadcasts and SMS failover', [
        m(METRIC.broadcastRecipients, 'broadcast recipients'),
        search(METRIC.smsFailover, ['provider'], 'failover to'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Scheduler tick', [
        m(METRIC.tickDue, 'due'),
        m(METRIC.tickProcessed, 'processed'),
        m(METRIC.tickErrors, 'errors'),
      ]),
      graph('Kept inbound messages (UNPROCESSED)', [
        m(METRIC.unprocessedReplayed, 'replayed'),
        m(METRIC.unprocessedGaveUp, 'given up'),
      ]),
      graph('Send queue', [
        props.sendQueue.queue.metricApproximateNumberOfMessagesVisible({ label: 'visible' }),
        props.sendQueue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'dead letters' }),
      ]),
    );
    const fns = props.functions;
    this.dashboard.addWidgets(
      graph(
        'Function errors',
        fns.map((fn) => fn.metricErrors({ statistic: Stats.SUM, label: fn.catalogName })),
      ),
      graph(
        'Function duration (p95)',
        fns.map((fn) => fn.metricDuration({ statistic: Stats.percentile(95), label: fn.catalogName })),
      ),
      graph('API', [
        props.http.api.metricCount({ statistic: Stats.SUM, label: 'requests' }),
        props.http.api.metricServerError({ statistic: Stats.SUM, label: '5xx' }),
        props.http.api.metricClientError({ statistic: Stats.SUM, label: '4xx' }),
      ]),
    );
  }
}
