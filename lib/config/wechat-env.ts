// The WeChat Official Account's variables (optional: a deployment outside China can be SMS-only).
// In AWS the four credentials come from WECHAT_SECRET_ARN (lib/config/secrets.ts).
import * as z from '#lib/zod.ts';

export const wechatEnvSchema = z.object({
  WECHAT_APP_ID: z
    .optional(z.string().check(z.regex(/^wx[0-9a-fA-F]{16}$/, 'must look like wx + 16 hex digits')))
    .check(z.describe('Official Account AppID (in AWS from WECHAT_SECRET_ARN)')),
  WECHAT_APP_SECRET: z
    .optional(z.string().check(z.minLength(8)))
    .check(z.describe('Official Account AppSecret (in AWS from WECHAT_SECRET_ARN)')),
  WECHAT_TOKEN: z
    .optional(z.string().check(z.regex(/^[A-Za-z0-9]{3,32}$/, 'must be 3-32 letters and digits')))
    .check(z.describe('The Token set in the WeChat console; signs every request WeChat makes to us')),
  WECHAT_ENCODING_AES_KEY: z
    .optional(z.string().check(z.regex(/^[A-Za-z0-9]{43}$/, 'must be 43 letters and digits')))
    .check(z.describe("Safe mode's 43-character EncodingAESKey")),
  WECHAT_API_BASE_URL: z
    .optional(z.url())
    .check(z.describe("WeChat's API origin (a fake server in tests); default https://api.weixin.qq.com")),
  WECHAT_TEMPLATES: z
    .optional(z.string())
    .check(
      z.describe(
        'JSON: message kind → {"templateId","field","maxLength"} for sends outside the 48-hour window',
      ),
    ),
  WECHAT_REPLY_BUDGET_MS: z
    .optional(z.coerce.number().check(z.int(), z.gte(100), z.lte(4500)))
    .check(
      z.describe(
        'How long the webhook waits for the conversation before answering `success` (WeChat allows 5 s)',
      ),
    ),
});
