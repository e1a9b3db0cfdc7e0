import { describe, expect, it } from 'vitest';
import { logMetrics } from '#lib/observability/log-metrics.ts';

describe('logMetrics', () => {
  it('writes each count as one log line with the metric name and its dimensions', () => {
    const lines: { message: string; fields: Record<string, unknown> }[] = [];
    const metrics = logMetrics({
      info: (message: string, fields?: Record<string, unknown>) =>
        lines.push({ message, fields: fields ?? {} }),
    } as never);
    metrics.count('SmsProviderFailover', { from: 'aliyun', to: 'tencent', reason: 'unknown-outcome' });
    metrics.count('Plain');
    expect(lines).toEqual([
      {
        message: 'metric',
        fields: {
          metric: 'SmsProviderFailover',
          count: 1,
          from: 'aliyun',
          to: 'tencent',
          reason: 'unknown-outcome',
        },
      },
      { message: 'metric', fields: { metric: 'Plain', count: 1 } },
    ]);
  });
});
