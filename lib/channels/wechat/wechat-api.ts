// WeChat's server API, the three calls lianxin makes: a stable access token, a customer-service
// (客服) text message, and a template message. HTTP with the global fetch; no SDK.
import { NEVER_CONNECTED } from '#lib/channels/provider-https.ts';
import { maskPhonesIn } from '#lib/observability/mask.ts';
import { SendFailure } from '#lib/ports/channel.ts';

export interface AccessToken {
  token: string;
  /** Seconds it is valid for, from when it was issued. */
  expiresIn: number;
}

export interface TemplateMessage {
  templateId: string;
  /** Field name → value, as the template declares them ({{thing1.DATA}} → { thing1: '…' }). */
  data: Record<string, string>;
}

/**
 * A WeChat API answer that is not `errcode: 0`. `code` is WeChat's errcode (e.g. 40001 invalid token,
 * 42001 expired token, 45015 outside the 48-hour window, 45047 window's 5 messages used, 43004 the user
 * does not follow the account); `status` is set instead when the HTTP status itself was an error.
 */
export class WechatApiError extends Error {
  constructor(
    readonly code: number | undefined,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'WechatApiError';
  }
}

/** The calls, behind an interface: HTTP to WeChat (or the fake), or the local outbox in `npm start`. */
export interface WechatApi {
  /** POST /cgi-bin/stable_token. `forceRefresh` invalidates the current token (20 a day, 30 s apart). */
  stableToken(forceRefresh: boolean): Promise<AccessToken>;
  /** POST /cgi-bin/message/custom/send: a text inside the user's 48-hour window. */
  sendCustomText(accessToken: string, openId: string, content: string): Promise<void>;
  /** POST /cgi-bin/message/template/send; returns WeChat's msgid. */
  sendTemplate(accessToken: string, openId: string, message: TemplateMessage): Promise<string>;
}

export interface HttpWechatApiOptions {
  appId: string;
  appSecret: string;
  /** https://api.weixin.qq.com, or the fake WeChat server in tests. */
  baseUrl: string;
  /** Whole-request timeout; past it the outcome of a send is unknown. Default 10 s. */
  timeoutMs?: number;
}

interface WechatAnswer {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
  msgid?: number | string;
}

export class HttpWechatApi implements WechatApi {
  readonly #base: string;

  constructor(private readonly options: HttpWechatApiOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
  }

  async stableToken(forceRefresh: boolean): Promise<AccessToken> {
    const answer = await this.#post('/cgi-bin/stable_token', undefined, {
      grant_type: 'client_credential',
      appid: this.options.appId,
      secret: this.options.appSecret,
      force_refresh: forceRefresh,
    });
    if (typeof answer.access_token !== 'string' || typeof answer.expires_in !== 'number') {
      throw new WechatApiError(undefined, 'stable_token answered without a token');
    }
    return { token: answer.access_token, expiresIn: answer.expires_in };
  }

  async sendCustomText(accessToken: string, openId: string, content: string): Promise<void> {
    await this.#post('/cgi-bin/message/custom/send', accessToken, {
      touser: openId,
      msgtype: 'text',
      text: { content },
    });
  }

  async sendTemplate(accessToken: string, openId: string, message: TemplateMessage): Promise<string> {
    const data = Object.fromEntries(Object.entries(message.data).map(([k, value]) => [k, { value }]));
    const answer = await this.#post('/cgi-bin/message/template/send', accessToken, {
      touser: openId,
      template_id: message.templateId,
      data,
    });
    return String(answer.msgid ?? '');
  }

  async #post(path: string, accessToken: string | undefined, body: unknown): Promise<WechatAnswer> {
    const url = `${this.#base}${path}${accessToken ? `?access_token=${encodeURIComponent(accessToken)}` : ''}`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      // WeChat reads UTF-8 JSON; Chinese text must not be \u-escaped for older endpoints, and is not here.
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new WechatApiError(undefined, `HTTP ${response.status}`, response.status);
    let answer: WechatAnswer;
    try {
      answer = JSON.parse(text) as WechatAnswer;
    } catch {
      throw new WechatApiError(undefined, `unreadable answer (HTTP ${response.status})`, response.status);
    }
    if (answer.errcode !== undefined && answer.errcode !== 0) {
      throw new WechatApiError(answer.errcode, `${answer.errcode} ${answer.errmsg ?? ''}`.trim());
    }
    return answer;
  }
}

/** WeChat errcodes that say the access token is bad: refresh it once and try again. */
export const TOKEN_REJECTED = new Set([40001, 40014, 42001]);

/**
 * What a failed send means for the send worker (as classifyTwilioError does for Twilio). Pure.
 * - 43004 (the user does not follow the account), 40003 (not an OpenID of this account) → invalid-address;
 * - -1 (system busy), 45009 (daily quota), 45011 (too frequent), HTTP 429/5xx → retryable;
 * - no connection was ever made → retryable; a timeout or broken connection → unknown-outcome;
 * - anything else WeChat refuses → rejected.
 */
export function classifyWechatError(error: unknown): SendFailure {
  const cause = { cause: error };
  if (error instanceof WechatApiError) {
    const message = `WeChat answered ${maskPhonesIn(error.message)}`;
    const fail = (kind: SendFailure['kind']) => new SendFailure(kind, message, error.code, cause);
    if (error.code === 43004 || error.code === 40003) return fail('invalid-address');
    if (error.code === -1 || error.code === 45009 || error.code === 45011) return fail('retryable');
    if (error.status !== undefined && (error.status === 429 || error.status >= 500)) return fail('retryable');
    return fail('rejected');
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; cause?: unknown };
  const code = (e.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && NEVER_CONNECTED.has(code)) {
    return new SendFailure('retryable', `no connection to WeChat (${code})`, undefined, cause);
  }
  // A timeout (TimeoutError), a reset connection, anything else: WeChat may have sent it.
  const what = typeof e.name === 'string' ? e.name : 'unrecognised error';
  return new SendFailure('unknown-outcome', `no answer from WeChat (${what})`, undefined, cause);
}
