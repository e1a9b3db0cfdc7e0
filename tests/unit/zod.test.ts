import { describe, expect, it } from 'vitest';
import { mobilePhone } from '#lib/api/schemas.ts';
import { mainlandSmsEnvSchema } from '#lib/config/mainland-sms.ts';
import * as z from '#lib/zod.ts';

describe("the project's zod (the mini API)", () => {
  it("answers in English, as the API's 400s and the configuration errors say", () => {
    const schema = z.object({
      name: z.string().check(z.trim(), z.minLength(1)),
      week: z.number().check(z.int()),
    });
    const issues = schema.safeParse({ name: '  ', week: 1.5 }).error?.issues ?? [];
    expect(issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'name: Too small: expected string to have >=1 characters',
      'week: Invalid input: expected int, received number',
    ]);
  });

  it('puts an issue a transform adds where the classic addIssue did: its path, its message, custom', async () => {
    const body = await z.object({ phones: z.array(mobilePhone) }).safeParseAsync({ phones: ['12345'] });
    expect(body.error?.issues.map(({ code, path, message }) => ({ code, path, message }))).toEqual([
      { code: 'custom', path: ['phones', 0], message: 'not a valid mobile number (default region CN)' },
    ]);
    const env = mainlandSmsEnvSchema.safeParse({ ALIYUN_SMS_TEMPLATE_CODES: '{not json' });
    expect(
      env.error?.issues
        .filter((i) => i.path[0] === 'ALIYUN_SMS_TEMPLATE_CODES')
        .map(({ code, path, message }) => ({ code, path, message })),
    ).toEqual([{ code: 'custom', path: ['ALIYUN_SMS_TEMPLATE_CODES'], message: 'must be JSON' }]);
  });
});
