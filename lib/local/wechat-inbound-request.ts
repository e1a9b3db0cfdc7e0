// Requests exactly as WeChat's servers make them (signed URL, XML body, optionally encrypted), and
// reading the passive reply back: for `npm run chat -- --wechat`, the tests and the bench.
import { randomBytes, randomInt } from 'node:crypto';
import {
  checkSignature,
  decryptMessage,
  encryptMessage,
  wechatSignature,
} from '#lib/channels/wechat/wechat-crypto.ts';
import { buildWechatXml, parseWechatXml } from '#lib/channels/wechat/wechat-xml.ts';

export interface WechatKeys {
  token: string;
  appId: string;
  /** Given: safe mode (the body is encrypted, and so is the reply). */
  encodingAesKey?: string | undefined;
}

/** Our account's original ID (ToUserName) in local and test requests. */
export const LOCAL_ACCOUNT = 'gh_0000000000lx';

/** A MsgId as WeChat makes them: a 64-bit number, as digits. */
export const newMsgId = (): string =>
  BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString()
    .slice(0, 19);

const seconds = (at: Date) => Math.floor(at.getTime() / 1000);

export function textMessageXml(m: { openId: string; content: string; msgId?: string; at?: Date }): string {
  return buildWechatXml({
    ToUserName: LOCAL_ACCOUNT,
    FromUserName: m.openId,
    CreateTime: seconds(m.at ?? new Date()),
    MsgType: 'text',
    Content: m.content,
    MsgId: m.msgId ?? newMsgId(),
  });
}

export function eventXml(m: { openId: string; event: string; eventKey?: string; at?: Date }): string {
  return buildWechatXml({
    ToUserName: LOCAL_ACCOUNT,
    FromUserName: m.openId,
    CreateTime: seconds(m.at ?? new Date()),
    MsgType: 'event',
    Event: m.event,
    ...(m.eventKey === undefined ? {} : { EventKey: m.eventKey }),
  });
}

export function mediaMessageXml(m: { openId: string; msgType: string; msgId?: string; at?: Date }): string {
  return buildWechatXml({
    ToUserName: LOCAL_ACCOUNT,
    FromUserName: m.openId,
    CreateTime: seconds(m.at ?? new Date()),
    MsgType: m.msgType,
    MediaId: `media_${randomBytes(8).toString('hex')}`,
    MsgId: m.msgId ?? newMsgId(),
  });
}

/** The signed query WeChat adds to the configured URL. */
function signedQuery(keys: WechatKeys, extra: Record<string, string> = {}) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(randomInt(100_000_000, 1_000_000_000));
  return { signature: wechatSignature(keys.token, timestamp, nonce), timestamp, nonce, ...extra };
}

/** GET: WeChat's server check of the URL. */
export function verificationUrl(webhookUrl: string, keys: WechatKeys, echostr: string): string {
  return `${webhookUrl}?${new URLSearchParams(signedQuery(keys, { echostr }))}`;
}

/** POST: a message as WeChat delivers it, in safe mode when `keys.encodingAesKey` is given. */
export function signedWechatPost(
  webhookUrl: string,
  keys: WechatKeys,
  xml: string,
  openId: string,
): { url: string; body: string; headers: Record<string, string> } {
  const headers = { 'content-type': 'text/xml', 'user-agent': 'Mozilla/4.0' };
  if (!keys.encodingAesKey) {
    return {
      url: `${webhookUrl}?${new URLSearchParams(signedQuery(keys, { openid: openId }))}`,
      body: xml,
      headers,
    };
  }
  const encrypt = encryptMessage(xml, keys.appId, keys.encodingAesKey);
  const query = signedQuery(keys, { openid: openId, encrypt_type: 'aes' });
  const msgSignature = wechatSignature(keys.token, query.timestamp, query.nonce, encrypt);
  return {
    url: `${webhookUrl}?${new URLSearchParams({ ...query, msg_signature: msgSignature })}`,
    body: buildWechatXml({ ToUserName: LOCAL_ACCOUNT, Encrypt: encrypt }),
    headers,
  };
}

/**
 * The text of a passive reply (checking and decrypting it in safe mode, as WeChat would), or
 * undefined for `success` / an empty answer (no reply).
 */
export function readPassiveReply(body: string, keys: WechatKeys): string | undefined {
  if (body === '' || body === 'success') return undefined;
  let fields = parseWechatXml(body);
  if (typeof fields.Encrypt === 'string') {
    const encrypt = fields.Encrypt;
    const expected = wechatSignature(keys.token, String(fields.TimeStamp), String(fields.Nonce), encrypt);
    checkSignature(String(fields.MsgSignature), expected, 'reply signature');
    if (!keys.encodingAesKey) throw new Error('an encrypted reply, but no EncodingAESKey');
    fields = parseWechatXml(decryptMessage(encrypt, keys.appId, keys.encodingAesKey));
  }
  return typeof fields.Content === 'string' ? fields.Content : undefined;
}
