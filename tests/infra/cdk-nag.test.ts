import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '#infra/function-catalog.ts';
import { PROD_CONTEXT, synthesize } from './synth.ts';

const stages = { dev: {}, prod: PROD_CONTEXT };

describe('cdk-nag AwsSolutionsChecks', () => {
  it.each(Object.entries(stages))('finds nothing unacknowledged in either %s stack', (_, context) => {
    const s = synthesize(context);
    for (const stack of [s.stateful, s.stateless]) {
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
    const acks = [...acknowledgements(s.stateful), ...acknowledgements(s.stateless)];
    const perFunction = FUNCTION_NAMES.length;
    const count = (id: string) => acks.filter((a) => a.id === id).length;
    expect(count('AwsSolutions-L1')).toBe(perFunction);
    expect(count('AwsSolutions-IAM5[Resource::*]')).toBe(perFunction);
    // One per webhook route: two Twilio, GET and POST for WeChat, Alibaba Cloud's up and report.
    expect(count('AwsSolutions-APIG4')).toBe(6);
    expect(count('AwsSolutions-COG4')).toBe(6);
    expect(count('AwsSolutions-SMG4')).toBe(3);
    // The exports bucket: no access log (short-lived files behind presigned links), and the API's
    // role reaches its objects under exports/ only.
    expect(count('AwsSolutions-S1')).toBe(1);
    expect(
      acks.filter((a) => a.id.startsWith('AwsSolutions-IAM5[Resource::') && a.id.includes('/exports/*')),
    ).toHaveLength(1);
    expect(acks).toHaveLength(2 * perFunction + 17);
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(60);
    // Each is placed on the construct it concerns, never on a stack as a blanket.
    for (const ack of acks) expect(ack.path.split('/').length).toBeGreaterThan(1);
    expect(acks.find((a) => a.id === 'AwsSolutions-IAM5[Resource::*]')?.reason).toMatch(/X-Ray/);
    expect(acks.find((a) => a.id === 'AwsSolutions-APIG4')?.reason).toMatch(/X-Twilio-Signature/);
    const wechatRoute = acks.find(
      (a) => a.id === 'AwsSolutions-APIG4' && a.path.includes('webhooks--wechat'),
    );
    expect(wechatRoute?.reason).toMatch(/msg_signature/);
    const aliyunRoute = acks.find((a) => a.id === 'AwsSolutions-APIG4' && a.path.includes('aliyun-sms'));
    expect(aliyunRoute?.reason).toMatch(/path secret .* constant time/);
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
