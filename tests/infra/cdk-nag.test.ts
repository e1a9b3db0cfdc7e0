import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '#infra/function-catalog.ts';
import { PROD_CONTEXT, synthesize } from './synth.ts';

const stages = { dev: {}, prod: PROD_CONTEXT };

describe('cdk-nag AwsSolutionsChecks', () => {
  it.each(Object.entries(stages))('finds nothing unacknowledged in any %s stack', (_, context) => {
    const s = synthesize(context);
    for (const stack of [s.stateful, s.stateless, s.web]) {
      const report = new AwsSolutionsChecks().validateScope(stack);
      expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`)).toEqual(
        [],
      );
      expect(report.success).toBe(true);
    }
  });

  it('does report what it should (so a clean report means something)', () => {
    const stack = new Stack(new App(), 'Bare');
    new Queue(stack, 'Plain', { enforceSSL: false });
    const rules = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  it('acknowledges only these findings, each where it applies and with its specific reason', () => {
    const s = synthesize(PROD_CONTEXT);
    const all = [
      ...acknowledgements(s.stateful),
      ...acknowledgements(s.stateless),
      ...acknowledgements(s.web),
    ];
    // CDK's BucketDeployment helper (the web stack only): its runtime, managed policy and wildcards.
    const helper = all.filter((a) => a.path.includes('Custom::CDKBucketDeployment'));
    expect(helper).toHaveLength(10);
    expect(helper.every((a) => a.path.startsWith(`${s.web.stackName}/`))).toBe(true);
    const acks = all.filter((a) => !helper.includes(a));
    const perFunction = FUNCTION_NAMES.length;
    const count = (id: string) => acks.filter((a) => a.id === id).length;
    expect(count('AwsSolutions-L1')).toBe(perFunction);
    expect(count('AwsSolutions-IAM5[Resource::*]')).toBe(perFunction);
    // One per webhook route: two Twilio, GET and POST for WeChat, Alibaba Cloud's up and report,
    // Tencent Cloud's reply and status.
    expect(count('AwsSolutions-APIG4')).toBe(8);
    expect(count('AwsSolutions-COG4')).toBe(8);
    expect(count('AwsSolutions-SMG4')).toBe(4);
    // No access log of its own: the console's log bucket (it would log the logging) and the exports
    // bucket (short-lived files behind presigned links).
    expect(count('AwsSolutions-S1')).toBe(2);
    // The console: CloudFront's geo restriction, WAF and default certificate.
    expect(acks.filter((a) => a.id.startsWith('AwsSolutions-CFR'))).toHaveLength(3);
    // The API's role reaches the exports bucket's objects under exports/ only.
    expect(
      acks.filter((a) => a.id.startsWith('AwsSolutions-IAM5[Resource::') && a.id.includes('/exports/*')),
    ).toHaveLength(1);
    expect(acks).toHaveLength(2 * perFunction + 20 + 4 + 2);
    for (const ack of all) expect(ack.reason.length).toBeGreaterThan(60);
    // Each is placed on the construct it concerns, never on a stack as a blanket.
    for (const ack of all) expect(ack.path.split('/').length).toBeGreaterThan(1);
    expect(acks.find((a) => a.id === 'AwsSolutions-IAM5[Resource::*]')?.reason).toMatch(/X-Ray/);
    expect(acks.find((a) => a.id === 'AwsSolutions-APIG4')?.reason).toMatch(/X-Twilio-Signature/);
    const wechatRoute = acks.find(
      (a) => a.id === 'AwsSolutions-APIG4' && a.path.includes('webhooks--wechat'),
    );
    expect(wechatRoute?.reason).toMatch(/msg_signature/);
    const aliyunRoute = acks.find((a) => a.id === 'AwsSolutions-APIG4' && a.path.includes('aliyun-sms'));
    expect(aliyunRoute?.reason).toMatch(/path secret .* constant time/);
    const tencentRoute = acks.find((a) => a.id === 'AwsSolutions-APIG4' && a.path.includes('tencent-sms'));
    expect(tencentRoute?.reason).toMatch(/Tencent Cloud signs no callback.*path secret .* constant time/);
  });
});

/** Every `Validations.of(c).acknowledge(...)` in a construct tree. */
function acknowledgements(scope: IConstruct): { id: string; reason: string; path: string }[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          reason,
          path: c.node.path,
        })),
      ),
  );
}
