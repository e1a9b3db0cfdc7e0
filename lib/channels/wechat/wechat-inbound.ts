// The inbound half of the WeChat Official Account channel: server verification (GET), signed and
// optionally encrypted messages (POST), and the passive reply in the same mode as the request.
// Not an InboundChannel: a WeChat reply depends on the request (its addresses, its encryption).
import { randomInt } from 'node:crypto';
import {
  checkSignature,
  decryptMessage,
  encryptMessage,
  wechatSignature,
} from '#lib/channels/wechat/wechat-crypto.ts';
import { buildWechatXml, parseWechatXml } from '#lib/channels/wechat/wechat-xml.ts';
import { SignatureError, ValidationError } from '#lib/errors.ts';
import type { WebhookRequest, WebhookResponse } from '#lib/ports/channel.ts';
import * as z from '#lib/zod.ts';

/** OpenIDs are 28 characters of base64url in practice; anything of this shape is accepted. */
export const OPENID = /^[A-Za-z0-9_-]{6,64}$/;

interface Common {
  /** The sender (FromUserName): the user's OpenID for this Official Account. */
  openId: string;
  /** Our account (ToUserName, the gh_… original ID): the From of the reply. */
  account: string;
  /** When WeChat says the user acted (CreateTime), epoch seconds. */
  createTime: number;
}

/** What a WeChat user did, as lianxin distinguishes it. */
export type WechatMessage =
  | (Common & { kind: 'text'; msgId: string; content: string })
  | (Common & { kind: 'event'; event: string; eventKey: string | undefined })
  | (Common & { kind: 'other'; msgType: string; msgId: string | undefined });

/** A verified, decrypted POST: the message and how to answer it. */
export interface OpenedWechatRequest {
  message: WechatMessage;
  /** Safe mode: the reply must be encrypted too. */
  encrypted: boolean;
}

export interface WechatInboundOptions {
  /** The Token set in the WeChat console (signs every request). */
  token: string;
  appId: string;
  /** The 43-character EncodingAESKey; needed only if WeChat is set to safe (or compatible) mode. */
  encodingAesKey: string | undefined;
  /**
   * Refuse (403) a POST that is not encrypted. In safe mode the token alone must not be enough to
   * post a message as anyone: whoever has it could otherwise skip the encryption. Default false.
   */
  requireEncryption?: boolean | undefined;
  now: () => Date;
  /**
   * Real time, for the freshness of signatures (not the domain clock, which tests and `npm run tick`
   * move): a signed URL seen once must not be replayable later.
   */
  wallClock?: (() => number) | undefined;
}

/** WeChat signs each request as it sends it; an older signature is a replay. */
export const MAX_SIGNATURE_AGE_SECONDS = 300;

const signedQuerySchema = z.lazy(() =>
  z.object({
    signature: z.string().check(z.regex(/^[0-9a-fA-F]{40}$/)),
    timestamp: z.string().check(z.regex(/^\d{1,12}$/)),
    nonce: z.string().check(z.regex(/^[A-Za-z0-9]{1,64}$/)),
  }),
);

const postQuerySchema = z.lazy(() =>
  z.object({
    openid: z.optional(z.string().check(z.regex(OPENID, 'must be an OpenID'))),
    encrypt_type: z.optional(z.enum(['aes', 'raw'])),
    msg_signature: z.optional(z.string().check(z.regex(/^[0-9a-fA-F]{40}$/, 'must be a sha1'))),
  }),
);

const echoSchema = z.lazy(() => z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/)));

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const commonFields = {
  ToUserName: text(64),
  FromUserName: z.string().check(z.regex(OPENID, 'must be an OpenID')),
  CreateTime: z.pipe(z.string().check(z.regex(/^\d{1,12}$/, 'must be epoch seconds')), z.transform(Number)),
  MsgType: z.string().check(z.regex(/^[a-z_]{1,32}$/, 'must be a message type')),
};
const msgId = z.lazy(() => z.string().check(z.regex(/^\d{1,20}$/, 'must be digits')));
const textSchema = z.lazy(() =>
  z.object({
    ...commonFields,
    MsgType: z.literal('text'),
    // Text messages are at most 2,048 bytes; an empty one can still arrive (e.g. only spaces, trimmed).
    Content: z._default(z.string().check(z.maxLength(2048, 'longer than 2048 characters')), ''),
    MsgId: msgId,
  }),
);
const eventSchema = z.lazy(() =>
  z.object({
    ...commonFields,
    MsgType: z.literal('event'),
    Event: z.string().check(z.regex(/^[A-Za-z_]{1,64}$/, 'must be an event name')),
    EventKey: z.optional(z.string().check(z.maxLength(256))),
  }),
);
const otherSchema = z.lazy(() => z.object({ ...commonFields, MsgId: z.optional(msgId) }));
const encryptedEnvelopeSchema = z.lazy(() =>
  z.object({ Encrypt: z.string().check(z.regex(/^[A-Za-z0-9+/=]{1,40000}$/)) }),
);

function parsed<S extends z.ZodMiniType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const reasons = result.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`);
    throw new ValidationError(`invalid ${what}: ${reasons.join('; ')}`);
  }
  return result.data;
}

function queryOf(request: WebhookRequest): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams);
}

export class WechatInbound {
  readonly name = 'wechat' as const;

  constructor(private readonly options: WechatInboundOptions) {}

  /**
   * GET: WeChat checks that the URL is ours. The answer is `echostr`, only if signed with our token;
   * anything else is a SignatureError (403).
   */
  verifyEcho(request: WebhookRequest): string {
    const query = queryOf(request);
    this.#verifySignature(query);
    const echo = echoSchema.safeParse(query.echostr);
    if (!echo.success) throw new SignatureError('missing or malformed echostr');
    return echo.data;
  }

  /**
   * POST: checks the signatures (403), refuses plaintext when encryption is required (403), decrypts
   * in safe mode and validates the message (400).
   */
  open(request: WebhookRequest): OpenedWechatRequest {
    const query = queryOf(request);
    const signed = this.#verifySignature(query);
    const age = Math.abs((this.options.wallClock ?? Date.now)() / 1000 - Number(signed.timestamp));
    if (!(age <= MAX_SIGNATURE_AGE_SECONDS)) throw new SignatureError('signature timestamp is not fresh');
    const params = parsed(postQuerySchema, query, 'WeChat query');
    let fields = parseWechatXml(request.body);
    const encrypted = params.encrypt_type === 'aes';
    if (!encrypted && this.options.requireEncryption) {
      throw new SignatureError('plaintext message refused: safe mode requires encrypt_type=aes');
    }
    if (encrypted) {
      const { Encrypt } = parsed(encryptedEnvelopeSchema, fields, 'encrypted WeChat message');
      // msg_signature covers the ciphertext: the body itself is WeChat's.
      checkSignature(
        params.msg_signature,
        wechatSignature(this.options.token, signed.timestamp, signed.nonce, Encrypt),
        'msg_signature',
      );
      const key = this.options.encodingAesKey;
      if (!key) throw new ValidationError('invalid WeChat message: encrypted, but no EncodingAESKey is set');
      fields = parseWechatXml(decryptMessage(Encrypt, this.options.appId, key));
    }
    const message = toMessage(fields);
    if (params.openid !== undefined && params.openid !== message.openId) {
      throw new ValidationError('invalid WeChat message: FromUserName is not the openid of the URL');
    }
    return { message, encrypted };
  }

  /** The passive reply: one text message to the sender, encrypted when the request was. */
  reply(opened: OpenedWechatRequest, content: string): WebhookResponse {
    const now = Math.floor(this.options.now().getTime() / 1000);
    const xml = buildWechatXml({
      ToUserName: opened.message.openId,
      FromUserName: opened.message.account,
      CreateTime: now,
      MsgType: 'text',
      Content: content,
    });
    if (!opened.encrypted) return xmlResponse(xml);
    const key = this.options.encodingAesKey;
    if (!key) throw new ValidationError('cannot encrypt the reply: no EncodingAESKey is set');
    const encrypt = encryptMessage(xml, this.options.appId, key);
    const timestamp = String(now);
    const nonce = String(randomInt(100_000_000, 1_000_000_000));
    return xmlResponse(
      buildWechatXml({
        Encrypt: encrypt,
        MsgSignature: wechatSignature(this.options.token, timestamp, nonce, encrypt),
        TimeStamp: now,
        Nonce: nonce,
      }),
    );
  }

  /** "Received; no reply": WeChat neither retries nor tells the user the account failed. */
  success(): WebhookResponse {
    return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'success' };
  }

  #verifySignature(query: Record<string, string>): z.output<typeof signedQuerySchema> {
    const signed = signedQuerySchema.safeParse(query);
    if (!signed.success) throw new SignatureError('missing or malformed signature parameters');
    const { signature, timestamp, nonce } = signed.data;
    checkSignature(signature, wechatSignature(this.options.token, timestamp, nonce), 'signature');
    return signed.data;
  }
}

function toMessage(fields: Record<string, unknown>): WechatMessage {
  const common = parsed(z.object(commonFields), fields, 'WeChat message');
  const base: Common = {
    openId: common.FromUserName,
    account: common.ToUserName,
    createTime: common.CreateTime,
  };
  if (common.MsgType === 'text') {
    const m = parsed(textSchema, fields, 'WeChat text message');
    return { ...base, kind: 'text', msgId: m.MsgId, content: m.Content };
  }
  if (common.MsgType === 'event') {
    const m = parsed(eventSchema, fields, 'WeChat event');
    return { ...base, kind: 'event', event: m.Event, eventKey: m.EventKey || undefined };
  }
  const m = parsed(otherSchema, fields, 'WeChat message');
  return { ...base, kind: 'other', msgType: m.MsgType, msgId: m.MsgId };
}

function xmlResponse(body: string): WebhookResponse {
  return { statusCode: 200, headers: { 'content-type': 'application/xml; charset=utf-8' }, body };
}
