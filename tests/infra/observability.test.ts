// The dashboard, the alarms and every function's observability settings, checked from the code side:
// the metric names are read from the lib code that records them, the dimension sets from what the
// Powertools adapter actually writes, and the tracer from each function's bundled module graph.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { FUNCTIONS } from '#infra/function-catalog.ts';
import { loadObservabilitySettings } from '#lib/config/observability.ts';
import { METRIC, METRIC_NAMES, METRICS_SERVICE, type MetricName } from '#lib/observability/metric-names.ts';
import { PowertoolsMetrics } from '#lib/observability/powertools-metrics.ts';
import type { MetricDimensions } from '#lib/ports/metrics.ts';
import {
  type DeployedFunction,
  deployedFunctions,
  PROD_CONTEXT,
  resolvedEnvironment,
  root,
  type Synthesized,
  synthesize,
} from './synth.ts';

type Props = Record<string, unknown>;
type MetricStat = {
  Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
};

let prod: Synthesized;
let functions: DeployedFunction[];
let alarms: Record<string, Props>;
let namespace: string;

beforeAll(() => {
  prod = synthesize(PROD_CONTEXT);
  functions = deployedFunctions(prod);
  const found = Object.values(prod.templates.stateless.findResources('AWS::CloudWatch::Alarm'));
  alarms = Object.fromEntries(found.map((a) => [a.Properties.AlarmName as string, a.Properties as Props]));
  namespace = String(functions[0]?.variables.POWERTOOLS_METRICS_NAMESPACE);
});

/** Every business metric the lib code records: `….count(METRIC.x …)` anywhere under lib/. */
function recordedInCode(): Set<MetricName> {
  const files = (readdirSync(join(root, 'lib'), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(root, 'lib', f));
  const keys = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\.count\(\s*METRIC\.(\w+)/g)) keys.add(m[1] ?? '');
  }
  return new Set(
    [...keys].map((k) => {
      const name = (METRIC as Record<string, MetricName | undefined>)[k];
      if (!name) throw new Error(`METRIC.${k} is recorded but not defined`);
      return name;
    }),
  );
}

/** The dashboard's body as CloudWatch gets it (references replaced by a stand-in). */
function dashboardBody(): { widgets: { properties: { metrics?: unknown[][] } }[] } {
  const dashboards = Object.values(prod.templates.stateless.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]?.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'REF')).join(body['Fn::Join'][0]);
  return JSON.parse(text);
}

/** Metric names of `namespace` the dashboard shows, as plain series or inside a SEARCH expression. */
function namesOnDashboard(): Set<string> {
  const names = new Set<string>();
  for (const widget of dashboardBody().widgets) {
    for (const series of widget.properties.metrics ?? []) {
      const [first, second] = series;
      if (first === namespace && typeof second === 'string') names.add(second);
      const expression = (
        series.find((s) => typeof s === 'object' && s !== null && 'expression' in s) as
          | { expression: string }
          | undefined
      )?.expression;
      if (expression?.includes(`{${namespace},`)) {
        for (const m of expression.matchAll(/MetricName="(\w+)"/g)) names.add(m[1] ?? '');
      }
    }
  }
  return names;
}

/** What PowertoolsMetrics writes for one count: the EMF document's namespace and dimensions. */
function emitted(name: MetricName, dimensions: MetricDimensions) {
  const metrics = new Metrics({ namespace, serviceName: METRICS_SERVICE });
  const lines: string[] = [];
  vi.spyOn((metrics as unknown as { console: Console }).console, 'log').mockImplementation((line: string) => {
    lines.push(line);
  });
  const adapter = new PowertoolsMetrics({ namespace, metrics });
  adapter.count(name, dimensions, 3);
  adapter.flush();
  expect(lines).toHaveLength(1);
  const emf = JSON.parse(lines[0] ?? '{}') as Record<string, unknown> & {
    _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  };
  const directive = emf._aws.CloudWatchMetrics[0];
  const dimensionNames = directive?.Dimensions[0] ?? [];
  return {
    namespace: directive?.Namespace,
    metricNames: directive?.Metrics.map((m) => m.Name),
    value: emf[name],
    dimensions: Object.fromEntries(dimensionNames.map((d) => [d, emf[d]])),
  };
}

describe('the dashboard', () => {
  it('shows every business metric the code records, and no name the code does not know', () => {
    const recorded = recordedInCode();
    // The places that count: at least the ones the issue names.
    expect(recorded.size).toBeGreaterThanOrEqual(14);
    const shown = namesOnDashboard();
    for (const name of recorded)
      expect(shown, `${name} is recorded but not on the dashboard`).toContain(name);
    for (const name of shown) expect(METRIC_NAMES).toContain(name);
  });

  it('reads the namespace every function writes to, the stage’s', () => {
    expect(namespace).toBe('lianxin/prod');
    for (const fn of functions) expect(fn.variables.POWERTOOLS_METRICS_NAMESPACE).toBe(namespace);
  });
});

describe('the alarms on business metrics', () => {
  const businessStats = (alarm: Props): MetricStat[] => {
    if (alarm.Namespace === namespace) {
      return [
        {
          Metric: {
            Namespace: alarm.Namespace as string,
            MetricName: alarm.MetricName as string,
            Dimensions: alarm.Dimensions as { Name: string; Value: unknown }[],
          },
        },
      ];
    }
    return ((alarm.Metrics as { MetricStat?: MetricStat }[] | undefined) ?? [])
      .flatMap((m) => (m.MetricStat ? [m.MetricStat] : []))
      .filter((s) => s.Metric.Namespace === namespace);
  };

  it('watch series exactly as the Powertools adapter writes them (namespace, name, dimension set)', () => {
    const watched = Object.values(alarms).flatMap(businessStats);
    expect(watched.length).toBeGreaterThanOrEqual(6);
    for (const { Metric } of watched) {
      const dims = Object.fromEntries((Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
      const { service, ...own } = dims;
      expect(service).toBe(METRICS_SERVICE);
      const written = emitted(Metric.MetricName as MetricName, own as MetricDimensions);
      expect(written).toEqual({
        namespace,
        metricNames: [Metric.MetricName],
        value: 3,
        dimensions: dims,
      });
    }
  });

  it('page on one channel’s send failure rate, with a floor of volume and two bad periods of three', () => {
    for (const channel of ['sms', 'wechat']) {
      const alarm = alarms[`lianxin-prod-send-failure-rate-${channel}`];
      expect(alarm).toMatchObject({
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
      });
      expect(alarm?.Threshold).toBeGreaterThan(0);
      expect(alarm?.Threshold).toBeLessThanOrEqual(50);
      const expression = ((alarm?.Metrics ?? []) as { Expression?: string }[]).find(
        (m) => m.Expression,
      )?.Expression;
      expect(expression).toMatch(/>= \d+/);
      const stats = businessStats(alarm ?? {});
      expect(stats.map((s) => s.Metric.MetricName).sort()).toEqual(['MessagesFailed', 'MessagesSent']);
      for (const s of stats) expect(s.Metric.Dimensions).toContainEqual({ Name: 'channel', Value: channel });
    }
  });

  it('page on the first inbound message given up, on tick errors two ticks running, and on a 5xx rate', () => {
    expect(alarms['lianxin-prod-unprocessed-gave-up']).toMatchObject({
      MetricName: 'UnprocessedGaveUp',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      Statistic: 'Sum',
    });
    expect(alarms['lianxin-prod-tick-errors']).toMatchObject({
      MetricName: 'TickErrors',
      Threshold: 1,
      EvaluationPeriods: 2,
    });
    const rate = alarms['lianxin-prod-api-5xx-rate'];
    expect(rate?.Threshold).toBeGreaterThan(0);
    expect(rate?.Threshold).toBeLessThanOrEqual(10);
    const used = ((rate?.Metrics ?? []) as { MetricStat?: MetricStat }[]).flatMap((m) =>
      m.MetricStat ? [m.MetricStat.Metric.MetricName] : [],
    );
    expect(used.sort()).toEqual(['5xx', 'Count']);
  });
});

describe('every function', () => {
  it('is traced by X-Ray and names its service, namespace and what its traces leave out', () => {
    for (const fn of functions) {
      const env = resolvedEnvironment(fn);
      expect(loadObservabilitySettings(env)).toEqual({
        POWERTOOLS_SERVICE_NAME: fn.name,
        POWERTOOLS_METRICS_NAMESPACE: namespace,
      });
      expect(env).toMatchObject({
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        POWERTOOLS_TRACER_CAPTURE_ERROR: 'false',
      });
      const props = prod.templates.stateless.findResources('AWS::Lambda::Function')[fn.logicalId]?.Properties;
      expect(props?.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('bundles the middleware that traces it and flushes its metrics, and Powertools Tracer and Metrics', async () => {
    for (const spec of Object.values(FUNCTIONS)) {
      const result = await build({
        entryPoints: [spec.entry],
        bundle: true,
        write: false,
        metafile: true,
        platform: 'node',
        format: 'esm',
        external: ['@aws-sdk/*'],
        absWorkingDir: root,
        logLevel: 'silent',
      });
      const inputs = Object.keys(result.metafile.inputs).map((f) => relative(root, join(root, f)));
      expect(inputs, spec.entry).toContain('lib/observability/lambda-middleware.ts');
      expect(inputs.some((f) => f.includes('node_modules/@aws-lambda-powertools/tracer/'))).toBe(true);
      expect(inputs.some((f) => f.includes('node_modules/@aws-lambda-powertools/metrics/'))).toBe(true);
    }
  }, 120_000);
});
