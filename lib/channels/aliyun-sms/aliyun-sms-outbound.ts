// Alibaba Cloud SMS (dysmsapi 2017-05-25 SendSms) for mainland numbers: every message goes by an
// approved template (lib/domain/sms-templates.ts), with our outbound key as OutId so receipts find it.
// One signed request over Node's https (provider-https.ts), as the official SDK sends it (RPC style,
// V3 signature): the SDK and its signing and credential packages were about 1 MB of the send worker.
import { randomBytes } from 'node:crypto';
import {
  acs3Authorization,
  acsDate,
  acsQueryString,
  sha256Hex,
} from '#lib/channels/aliyun-sms/aliyun-acs3-signature.ts';
import { classifyNoAnswer, ProviderHttps } from '#lib/channels/provider-https.ts';
import { renderMainlandSms } from '#lib/domain/sms-templates.ts';
import { ValidationError } from '#lib/errors.ts';
import { maskPhonesIn } from '#lib/observability/mask.ts';
import { type OutboundChannel, SendFailure, type SendOptions, type SendResult } from '#lib/ports/channel.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';

export interface AliyunSmsOutboundOptions {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** Our template id → Alibaba Cloud's TemplateCode. */
  templateCodes: Readonly<Record<string, string>>;
  /** host[:port]; dysmsapi.aliyuncs.com in AWS, the fake or the local stand-in otherwise. */
  endpoint?: string;
  protocol?: 'https' | 'http';
  /** Whole-request timeout; past it the outcome is unknown. Default 5 s. */
  timeoutMs?: number;
  /** The time signed into x-acs-date (Alibaba Cloud refuses a request far from its own clock). */
  now?: () => Date;
}

/** `+8613800000001` → `13800000001`, as PhoneNumbers takes a mainland number. */
export function aliyunPhoneNumber(e164: string): string {
  if (!/^\+861\d{10}$/.test(e164)) throw new ValidationError('not a mainland mobile number');
  return e164.slice(3);
}

export class AliyunSmsOutbound implements OutboundChannel {
  /**
   * Nothing of AWS: it calls Alibaba Cloud's SendSms. Its AccessKey comes from the Alibaba Cloud secret,
   * read at cold start and granted with the secret (bindSecret), not here.
   */
  static readonly awsAccess: AwsAccess = {};

  readonly name = 'sms' as const;
  readonly provider = 'aliyun' as const;
  private readonly https: ProviderHttps;

  constructor(private readonly options: AliyunSmsOutboundOptions) {
    this.https = new ProviderHttps(
      options.endpoint ?? 'dysmsapi.aliyuncs.com',
      options.protocol ?? 'https',
      options.timeoutMs ?? 5000,
    );
  }

  async send(to: string, body: string, options: SendOptions = {}): Promise<SendResult> {
    let phone: string;
    let rendered: ReturnType<typeof renderMainlandSms>;
    try {
      phone = aliyunPhoneNumber(to);
      rendered = renderMainlandSms(options.kind ?? 'reply', body);
    } catch (error) {
      // Nothing left: a number or a text no template can carry will never go.
      const kind =
        error instanceof ValidationError && error.message.includes('number') ? 'invalid-address' : 'rejected';
      throw new SendFailure(kind, (error as Error).message, undefined, { cause: error });
    }
    const code = this.options.templateCodes[rendered.template.id];
    if (!code)
      throw new SendFailure('rejected', `no Alibaba Cloud code for template ${rendered.template.id}`);
    const query: Record<string, string> = {
      PhoneNumbers: phone,
      SignName: this.options.signName,
      TemplateCode: code,
      TemplateParam: JSON.stringify(rendered.params),
      ...(options.key ? { OutId: options.key } : {}),
    };
    // No retry here: the send worker owns retries (backoff, attempts, DLQ).
    let response: { status: number; text: string };
    try {
      response = await this.https.request(this.signedRequest(query));
    } catch (error) {
      throw classifyNoAnswer(error, 'Alibaba Cloud');
    }
    let answer: { Code?: unknown; Message?: unknown; BizId?: unknown } | undefined;
    try {
      answer = JSON.parse(response.text) as typeof answer;
    } catch {
      answer = undefined;
    }
    const answerCode = typeof answer?.Code === 'string' ? answer.Code : undefined;
    const message = typeof answer?.Message === 'string' ? answer.Message : undefined;
    if (response.status < 200 || response.status >= 300) {
      throw classifyAliyunError({ statusCode: response.status, code: answerCode, message });
    }
    const bizId = typeof answer?.BizId === 'string' ? answer.BizId : undefined;
    if (answer === undefined) {
      // It answered 2xx but unreadably: the message may have gone, never resend blindly.
      throw new SendFailure('unknown-outcome', `Alibaba Cloud answered ${response.status} without a body`);
    }
    if (answerCode !== 'OK' || !bizId) throw classifyAliyunCode(answerCode, message);
    return {
      providerId: bizId,
      provider: this.provider,
      template: { code, params: rendered.params, text: rendered.text, segments: rendered.segments },
    };
  }

  /** SendSms as the SDK sends it: POST, the parameters in the query, an empty body, signed (V3). */
  signedRequest(query: Record<string, string>, nonce = randomBytes(16).toString('hex')) {
    const headers: Record<string, string> = {
      host: this.https.endpoint,
      'x-acs-version': '2017-05-25',
      'x-acs-action': 'SendSms',
      'x-acs-date': acsDate((this.options.now ?? (() => new Date()))()),
      'x-acs-signature-nonce': nonce,
      accept: 'application/json',
      'user-agent': 'lianxin',
      'x-acs-content-sha256': sha256Hex(''),
    };
    headers.authorization = acs3Authorization(
      { method: 'POST', pathname: '/', query, headers },
      sha256Hex(''),
      this.options.accessKeyId,
      this.options.accessKeySecret,
    );
    return { method: 'POST' as const, path: `/?${acsQueryString(query)}`, headers };
  }
}
// Business refusals SendSms answers with HTTP 200 and a Code (the send will never go as it is).
const INVALID_ADDRESS = new Set(['isv.MOBILE_NUMBER_ILLEGAL', 'isv.MOBILE_COUNT_OVER_LIMIT']);
// Flow control on one number (per minute/hour/day) or on the account: later may work.
const RETRYABLE_CODES = new Set(['isv.BUSINESS_LIMIT_CONTROL', 'Throttling.User', 'isp.SYSTEM_ERROR']);
// The recipient asked their carrier to block us (回复TD/退订 to the carrier, or a blacklist).
const OPTED_OUT = new Set(['isv.BLACK_KEY_CONTROL_LIMIT', 'isv.DAY_LIMIT_CONTROL_BLACK']);

/** A Code other than OK, as the send worker needs it. Pure. */
export function classifyAliyunCode(code: string | undefined, message: string | undefined): SendFailure {
  const text = `Alibaba Cloud answered ${code ?? 'no code'}: ${maskPhonesIn(message ?? '')}`;
  if (code && INVALID_ADDRESS.has(code)) return new SendFailure('invalid-address', text);
  if (code && OPTED_OUT.has(code)) return new SendFailure('opted-out', text);
  if (code && RETRYABLE_CODES.has(code)) return new SendFailure('retryable', text);
  return new SendFailure('rejected', text);
}

interface AliyunErrorShape {
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
}

/**
 * What an answer with an HTTP error status means: Alibaba Cloud answered 4xx/5xx with its Code.
 */
export function classifyAliyunError(error: AliyunErrorShape): SendFailure {
  const code = typeof error.code === 'string' ? error.code : undefined;
  const status = typeof error.statusCode === 'number' ? error.statusCode : 0;
  const text = `Alibaba Cloud answered ${status} (${code ?? 'no code'})`;
  // 502/504: a proxy answered, possibly after the message went.
  if (status === 502 || status === 504) return new SendFailure('unknown-outcome', text);
  if (status === 429 || status >= 500) return new SendFailure('retryable', text);
  const failure = classifyAliyunCode(code, typeof error.message === 'string' ? error.message : undefined);
  return new SendFailure(failure.kind, text);
}
