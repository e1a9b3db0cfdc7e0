// The WeChat Official Account's variables (optional: a deployment outside China can be SMS-only).
// In AWS the four credentials come from WECHAT_SECRET_ARN (lib/config/secrets.ts).
import * as z from 'zod';

export const wechatEnvSchema = z.object({
  WECHAT_APP_ID: z
    .string()
    .regex(/^wx[0-9a-fA-F]{16}$/, 'must look like wx + 16 hex digits')
    .optional()
    .describe('Official Account AppID (in AWS from WECHAT_SECRET_ARN)'),
  WECHAT_APP_SECRET: z
    .string()
    .min(8)
    .optional()
    .describe('Official Account AppSecret (in AWS from WECHAT_SECRET_ARN)'),
  WECHAT_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9]{3,32}$/, 'must be 3-32 letters and digits')
    .optional()
    .describe('The Token set in the WeChat console; signs every request WeChat makes to us'),
  WECHAT_ENCODING_AES_KEY: z
    .string()
    .regex(/^[A-Za-z0-9]{43}$/, 'must be 43 letters and digits')
    .optional()
    .describe("Safe mode's 43-character EncodingAESKey"),
  WECHAT_API_BASE_URL: z
    .url()
    .optional()
    .describe("WeChat's API origin (a fake server in tests); default https://api.weixin.qq.com"),
  WECHAT_TEMPLATES: z
    .string()
    .optional()
    .describe('JSON: message kind → {"templateId","field","maxLength"} for sends outside the 48-hour window'),
  WECHAT_REPLY_BUDGET_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(4500)
    .optional()
    .describe(
      'How long the webhook waits for the conversation before answering `success` (WeChat allows 5 s)',
    ),
});
