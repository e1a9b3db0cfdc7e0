import { describe, expect, it } from 'vitest';
import { wechatSignature } from '#lib/channels/wechat/wechat-crypto.ts';
import { MAX_SIGNATURE_AGE_SECONDS, WechatInbound } from '#lib/channels/wechat/wechat-inbound.ts';
import { SignatureError } from '#lib/errors.ts';
import { textMessageXml } from '#lib/local/wechat-inbound-request.ts';

const TOKEN = 'replaytesttoken';
const OPENID = 'oAbCdEfGhIjKlMnOpQrStUvWxYz0';
const NOW = 1_800_000_000;

function signedPost(timestamp: number) {
  const nonce = '12345678';
  const signature = wechatSignature(TOKEN, String(timestamp), nonce);
  const query = new URLSearchParams({ signature, timestamp: String(timestamp), nonce, openid: OPENID });
  return {
    method: 'POST',
    url: `https://lianxin.example.org/webhooks/wechat?${query}`,
    headers: { 'content-type': 'text/xml' },
    body: textMessageXml({ openId: OPENID, content: 'TD', msgId: '7000000000000000001' }),
  };
}

const inbound = new WechatInbound({
  token: TOKEN,
  appId: 'wx0000000000000000',
  encodingAesKey: undefined,
  now: () => new Date(NOW * 1000),
  wallClock: () => NOW * 1000,
});

describe('a WeChat signature seen once cannot be replayed later', () => {
  it('accepts a fresh signature', () => {
    expect(inbound.open(signedPost(NOW - 10)).message.openId).toBe(OPENID);
  });

  it.each([
    ['older than the window', NOW - MAX_SIGNATURE_AGE_SECONDS - 1],
    ['from years ago', NOW - 3 * 365 * 86_400],
    ['from the future', NOW + MAX_SIGNATURE_AGE_SECONDS + 1],
  ])('refuses a validly signed request %s', (_, timestamp) => {
    expect(() => inbound.open(signedPost(timestamp))).toThrow(SignatureError);
  });
});
