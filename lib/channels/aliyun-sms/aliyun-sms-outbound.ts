// Alibaba Cloud SMS (dysmsapi 2017-05-25 SendSms) for mainland numbers: every message goes by an
// approved template (lib/domain/sms-templates.ts), with our outbound key as OutId so receipts find it.
// Types only: the SDK itself (about 1 MB with its signing and credential packages) is loaded on the
// first mainland send, so that a cold start with no mainland number to send pays nothing for it.
import type * as Dysmsapi from '@alicloud/dysmsapi20170525';
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
}

type ClientClass = typeof Dysmsapi.default.default;
type DysmsClient = InstanceType<ClientClass>;
// The SDK reads these as plain objects; its types ask for its model classes (with toMap), which would
// mean importing two of its internal packages directly.
type ClientConfig = ConstructorParameters<ClientClass>[0];
type RuntimeOptions = Parameters<DysmsClient['sendSmsWithOptions']>[1];

interface LoadedSdk {
  client: DysmsClient;
  SendSmsRequest: typeof Dysmsapi.SendSmsRequest;
}

async function loadSdk(config: ClientConfig): Promise<LoadedSdk> {
  const dysmsapi = await import('@alicloud/dysmsapi20170525');
  // The package is CommonJS compiled from TypeScript: Node's ESM loader gives its exports object as the
  // default (the class is then `.default.default`); bundlers and vitest unwrap it to the class itself.
  const wrapped = dysmsapi.default as unknown as ClientClass | { default: ClientClass };
  const Client: ClientClass = typeof wrapped === 'function' ? wrapped : wrapped.default;
  const SendSmsRequest =
    dysmsapi.SendSmsRequest ??
    (dysmsapi.default as unknown as { SendSmsRequest: typeof Dysmsapi.SendSmsRequest }).SendSmsRequest;
  return { client: new Client(config), SendSmsRequest };
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
  private sdk: Promise<LoadedSdk> | undefined;

  constructor(private readonly options: AliyunSmsOutboundOptions) {}

  private loaded(): Promise<LoadedSdk> {
    this.sdk ??= loadSdk({
      accessKeyId: this.options.accessKeyId,
      accessKeySecret: this.options.accessKeySecret,
      endpoint: this.options.endpoint ?? 'dysmsapi.aliyuncs.com',
      protocol: this.options.protocol ?? 'https',
      regionId: 'cn-hangzhou',
    } as ClientConfig);
    // A failed load is tried again on the next send, not remembered for the container's life.
    this.sdk.catch(() => {
      this.sdk = undefined;
    });
    return this.sdk;
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
    const timeout = this.options.timeoutMs ?? 5000;
    const { client, SendSmsRequest } = await this.loaded();
    let response: Awaited<ReturnType<DysmsClient['sendSmsWithOptions']>>;
    try {
      response = await client.sendSmsWithOptions(
        new SendSmsRequest({
          phoneNumbers: phone,
          signName: this.options.signName,
          templateCode: code,
          templateParam: JSON.stringify(rendered.params),
          ...(options.key ? { outId: options.key } : {}),
        }),
        // The send worker owns retries (backoff, attempts, DLQ): the SDK makes one attempt.
        {
          autoretry: false,
          maxAttempts: 1,
          connectTimeout: Math.min(timeout, 3000),
          readTimeout: timeout,
        } as RuntimeOptions,
      );
    } catch (error) {
      throw classifyAliyunError(error);
    }
    const answer = response.body;
    if (answer?.code !== 'OK' || !answer.bizId) throw classifyAliyunCode(answer?.code, answer?.message);
    return {
      providerId: answer.bizId,
      provider: this.provider,
      template: { code, params: rendered.params, text: rendered.text, segments: rendered.segments },
    };
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

const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

interface AliyunErrorShape {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/**
 * What a thrown SendSms error means. The SDK throws a ClientError/ServerError with the HTTP status
 * and the provider's Code when Alibaba Cloud answered 4xx/5xx; a Node error (ECONNREFUSED…) when it
 * could not connect; a RequestTimeoutError when no answer came in time, which may follow a send.
 */
export function classifyAliyunError(error: unknown): SendFailure {
  const e: AliyunErrorShape = typeof error === 'object' && error !== null ? (error as AliyunErrorShape) : {};
  const cause = { cause: error };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (typeof e.statusCode === 'number') {
    const status = e.statusCode;
    const text = `Alibaba Cloud answered ${status} (${code ?? 'no code'})`;
    // 502/504: a proxy answered, possibly after the message went.
    if (status === 502 || status === 504) return new SendFailure('unknown-outcome', text, undefined, cause);
    if (status === 429 || status >= 500) return new SendFailure('retryable', text, undefined, cause);
    const failure = classifyAliyunCode(code, typeof e.message === 'string' ? e.message : undefined);
    return new SendFailure(failure.kind, text, undefined, cause);
  }
  if (code && NEVER_CONNECTED.has(code)) {
    return new SendFailure('retryable', `could not reach Alibaba Cloud (${code})`, undefined, cause);
  }
  const name = typeof e.name === 'string' ? e.name : 'unrecognised error';
  return new SendFailure(
    'unknown-outcome',
    `no answer from Alibaba Cloud (${code ?? name})`,
    undefined,
    cause,
  );
}
