// The WeChat settings each entry point needs, from the WECHAT_* values of the core configuration
// (lib/config/wechat-env.ts). WeChat is optional: without it the send worker has no WeChat channel and
// only the WeChat webhook refuses to start.
import type { WechatTemplates } from '#lib/channels/wechat/wechat-outbound.ts';
import { OUTBOUND_KINDS } from '#lib/domain/outbound-message.ts';
import { ConfigError } from '#lib/errors.ts';
import * as z from '#lib/zod.ts';
import type { Config } from './core.ts';
import { configError } from './parse-env.ts';

export const WECHAT_API_ORIGIN = 'https://api.weixin.qq.com';
/** Under WeChat's 5 s, leaving room for the network on both sides and the encrypted reply. */
export const DEFAULT_REPLY_BUDGET_MS = 4000;

const templatesSchema = z.partialRecord(
  z.enum(OUTBOUND_KINDS),
  z.object({
    templateId: z.string().check(z.minLength(1), z.maxLength(128)),
    field: z.string().check(z.regex(/^[A-Za-z0-9_]{1,32}$/)),
    // WeChat's `thing` fields take 20 characters; a template with a longer field says so.
    maxLength: z._default(z.int().check(z.gte(1), z.lte(2000)), 20),
  }),
);

export interface WechatInboundSettings {
  appId: string;
  token: string;
  encodingAesKey: string | undefined;
  /**
   * Refuse plaintext POSTs: true in AWS when an EncodingAESKey is set (safe mode). Locally plaintext
   * stays accepted, for `npm run chat -- --wechat … --plain`.
   */
  requireEncryption: boolean;
  replyBudgetMs: number;
}

export interface WechatOutboundSettings {
  appId: string;
  appSecret: string;
  apiBaseUrl: string;
  templates: WechatTemplates;
}

/** What the WeChat webhook needs; a ConfigError (stops init) when WeChat is not configured. */
export function wechatInboundSettings(c: Config): WechatInboundSettings {
  const missing = (['WECHAT_APP_ID', 'WECHAT_TOKEN'] as const).filter((k) => !c[k]);
  if (missing.length > 0) throw configError(missing.map((k) => ({ path: [k], message: 'required' })));
  return {
    appId: c.WECHAT_APP_ID as string,
    token: c.WECHAT_TOKEN as string,
    encodingAesKey: c.WECHAT_ENCODING_AES_KEY,
    requireEncryption: Boolean(c.WECHAT_ENCODING_AES_KEY) && c.LIANXIN_ENV !== 'local',
    replyBudgetMs: c.WECHAT_REPLY_BUDGET_MS ?? DEFAULT_REPLY_BUDGET_MS,
  };
}

/** What the send worker needs to send by WeChat, or undefined when WeChat is not configured. */
export function wechatOutboundSettings(c: Config): WechatOutboundSettings | undefined {
  if (!c.WECHAT_APP_ID || !c.WECHAT_APP_SECRET) return undefined;
  return {
    appId: c.WECHAT_APP_ID,
    appSecret: c.WECHAT_APP_SECRET,
    apiBaseUrl: c.WECHAT_API_BASE_URL ?? WECHAT_API_ORIGIN,
    templates: parseTemplates(c.WECHAT_TEMPLATES),
  };
}

export function parseTemplates(json: string | undefined): WechatTemplates {
  if (!json) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigError('invalid configuration (WECHAT_TEMPLATES: not JSON)');
  }
  const parsed = templatesSchema.safeParse(value);
  if (!parsed.success) throw configError(parsed.error.issues, 'WECHAT_TEMPLATES ');
  return parsed.data;
}
