// The Powertools adapter of the metrics port, and the middleware that flushes it: what CloudWatch
// gets is one EMF document per dimension set per invocation, with the sums, whether the handler
// succeeded or threw.
import { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { observe } from '#lib/observability/lambda-middleware.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { METRIC, METRICS_SERVICE } from '#lib/observability/metric-names.ts';
import { PowertoolsMetrics } from '#lib/observability/powertools-metrics.ts';

type Emf = Record<string, unknown> & {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
};

function capture() {
  const metrics = new Metrics({ namespace: 'lianxin/test', serviceName: METRICS_SERVICE });
  const lines: Emf[] = [];
  vi.spyOn((metrics as unknown as { console: Console }).console, 'log').mockImplementation((line: string) => {
    lines.push(JSON.parse(line) as Emf);
  });
  return { adapter: new PowertoolsMetrics({ namespace: 'lianxin/test', metrics }), lines };
}

const dimensionsOf = (emf: Emf) =>
  Object.fromEntries((emf._aws.CloudWatchMetrics[0]?.Dimensions[0] ?? []).map((d) => [d, emf[d]]));

describe('PowertoolsMetrics', () => {
  it('sums counts per metric and dimension set, one EMF document per set, then starts afresh', () => {
    const { adapter, lines } = capture();
    adapter.count(METRIC.messagesSent, { channel: 'sms' });
    adapter.count(METRIC.messagesSent, { channel: 'sms' });
    adapter.count(METRIC.messagesFailed, { channel: 'sms' });
    adapter.count(METRIC.messagesSent, { channel: 'wechat' }, 5);
    adapter.count(METRIC.tickDue, {}, 40);
    adapter.flush();

    expect(lines).toHaveLength(3);
    const sms = lines.find((l) => l.channel === 'sms');
    expect(dimensionsOf(sms as Emf)).toEqual({ service: METRICS_SERVICE, channel: 'sms' });
    expect(sms).toMatchObject({ MessagesSent: 2, MessagesFailed: 1 });
    expect(lines.find((l) => l.channel === 'wechat')).toMatchObject({ MessagesSent: 5 });
    const tick = lines.find((l) => l.TickDue !== undefined) as Emf;
    expect(dimensionsOf(tick)).toEqual({ service: METRICS_SERVICE });
    expect(tick.TickDue).toBe(40);
    for (const line of lines) expect(line._aws.CloudWatchMetrics[0]?.Namespace).toBe('lianxin/test');

    adapter.flush();
    expect(lines).toHaveLength(3);
  });

  it('keeps the dimension set whatever order the dimensions were given in, and drops empty ones', () => {
    const { adapter, lines } = capture();
    adapter.count(METRIC.messagesFailedByCode, { channel: 'sms', errorCode: '30007' });
    adapter.count(METRIC.messagesFailedByCode, { errorCode: '30007', channel: 'sms' });
    adapter.count(METRIC.smsFailover, { provider: '' });
    adapter.flush();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ MessagesFailedByCode: 2, channel: 'sms', errorCode: '30007' });
    expect(dimensionsOf(lines[1] as Emf)).toEqual({ service: METRICS_SERVICE });
  });
});

describe('observe (the entry points’ middleware)', () => {
  const context = { awsRequestId: 'r1', functionName: 'f' } as Context;
  const logger = createLogger('test-observe');
  logger.setLogLevel('SILENT');

  it('flushes what the invocation counted, after it succeeds and after it throws', async () => {
    const { adapter, lines } = capture();
    const observability = { metrics: adapter, flush: () => adapter.flush(), tracer: undefined };
    const ok = middy(async () => {
      adapter.count(METRIC.answers, { channel: 'sms' }, 3);
      return 'ok';
    }).use(observe(logger, observability));
    expect(await ok({}, context)).toBe('ok');
    expect(lines).toEqual([expect.objectContaining({ Answers: 3 })]);

    const failing = middy(async () => {
      adapter.count(METRIC.tickErrors);
      throw new Error('table unavailable');
    }).use(observe(logger, observability));
    await expect(failing({}, context)).rejects.toThrow('table unavailable');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ TickErrors: 1 });
  });
});
