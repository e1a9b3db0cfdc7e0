// What a family's month costs on each provider: the model week through the real engine, priced here
// from the carriers' billing rule rather than by the code under test.
import { describe, expect, it } from 'vitest';
import { familyMonthlyCosts, modelFamilyWeek, WEEKS_PER_MONTH } from '#lib/domain/family-cost.ts';
import { renderMainlandSms } from '#lib/domain/sms-templates.ts';

const billed = (shown: string) => {
  const chars = [...shown].length;
  return chars <= 70 ? 1 : Math.ceil(chars / 67);
};

describe('a family week and month', () => {
  it('one message cuts the carer’s side several-fold', () => {
    const steps = modelFamilyWeek('steps').filter((m) => m.kind === 'invitation' || m.kind === 'reply');
    const one = modelFamilyWeek('one-message').filter((m) => m.kind === 'invitation' || m.kind === 'reply');
    // Invitation and the twelve answers' replies, against the invitation and three.
    expect(steps).toHaveLength(13);
    expect(one).toHaveLength(4);
  });

  it('prices each provider at its own rate, from the billed messages the phone shows', () => {
    const costs = familyMonthlyCosts({
      domestic: { aliyun: 0.045, tencent: 0.05 },
      twilio: { perSegment: 0.0113, currency: 'USD' },
    });
    for (const form of ['steps', 'one-message'] as const) {
      const week = modelFamilyWeek(form);
      // What the phone shows is the template rendering; its billing is counted here.
      const segments = week.reduce((sum, m) => sum + billed(renderMainlandSms(m.kind, m.body).text), 0);
      const aliyun = costs.find((c) => c.provider === 'aliyun' && c.form === form);
      const tencent = costs.find((c) => c.provider === 'tencent' && c.form === form);
      expect(aliyun?.segmentsPerWeek).toBe(segments);
      expect(aliyun?.perMonth).toBeCloseTo(segments * WEEKS_PER_MONTH * 0.045, 2);
      expect(tencent?.perMonth).toBeCloseTo(segments * WEEKS_PER_MONTH * 0.05, 2);
      expect(costs.find((c) => c.provider === 'twilio' && c.form === form)?.currency).toBe('USD');
    }
    const steps = costs.find((c) => c.provider === 'aliyun' && c.form === 'steps');
    const one = costs.find((c) => c.provider === 'aliyun' && c.form === 'one-message');
    expect(one?.segmentsPerWeek ?? 0).toBeLessThan(steps?.segmentsPerWeek ?? 0);
  });
});
