import { describe, expect, it } from 'vitest';
import {
  aesKeyOf,
  checkSignature,
  decryptMessage,
  encryptMessage,
  wechatSignature,
} from '#lib/channels/wechat/wechat-crypto.ts';
import { SignatureError, ValidationError } from '#lib/errors.ts';

// Tencent's own sample for Official Account message encryption (the WXBizMsgCrypt sample code).
const SAMPLE = {
  token: 'spamtest',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appId: 'wx2c2769f8efd9abc2',
  timestamp: '1409735669',
  nonce: '1320562132',
  msgSignature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
  encrypt:
    'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=',
};

describe('wechatSignature', () => {
  it("matches WeChat's documented server-verification example", () => {
    // developers.weixin.qq.com, message push guide: Token "AAAAA".
    expect(wechatSignature('AAAAA', '1714036504', '1514711492')).toBe(
      'f464b24fc39322e44b38aa78f5edd27bd1441696',
    );
  });

  it("matches Tencent's sample msg_signature over the ciphertext", () => {
    expect(wechatSignature(SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.encrypt)).toBe(
      SAMPLE.msgSignature,
    );
  });

  it('sorts the parts, so their order does not matter', () => {
    expect(wechatSignature('b', 'a', 'c')).toBe(wechatSignature('c', 'b', 'a'));
  });

  it('checkSignature accepts upper-case hex and refuses a mismatch or a missing value', () => {
    const expected = wechatSignature('t', '1', '2');
    expect(() => checkSignature(expected.toUpperCase(), expected, 'signature')).not.toThrow();
    expect(() => checkSignature(`${expected.slice(0, -1)}0`, expected, 'signature')).toThrow(SignatureError);
    expect(() => checkSignature('abc', expected, 'signature')).toThrow(SignatureError);
    expect(() => checkSignature(undefined, expected, 'signature')).toThrow(SignatureError);
  });
});

describe('safe-mode encryption', () => {
  it("decrypts Tencent's sample message", () => {
    const xml = decryptMessage(SAMPLE.encrypt, SAMPLE.appId, SAMPLE.encodingAesKey);
    expect(xml).toContain('<Content><![CDATA[abcdteT]]></Content>');
    expect(xml).toContain('<MsgId>6054768590064713728</MsgId>');
  });

  it('derives a 32-byte key and its first 16 bytes as the IV', () => {
    const { key, iv } = aesKeyOf(SAMPLE.encodingAesKey);
    expect(key).toHaveLength(32);
    expect(iv.equals(key.subarray(0, 16))).toBe(true);
    expect(() => aesKeyOf('too-short')).toThrow(ValidationError);
  });

  it.each([
    ['ASCII', '<xml><Content><![CDATA[hello]]></Content></xml>'],
    [
      'Chinese (length counted in bytes)',
      '<xml><Content><![CDATA[小明这周心情很好，谢谢老师！]]></Content></xml>',
    ],
    ['exactly two blocks after the header', 'x'.repeat(64 - 20 - SAMPLE.appId.length)],
    ['empty', ''],
  ])('round-trips %s, padded to 32-byte blocks', (_, xml) => {
    const encrypted = encryptMessage(xml, SAMPLE.appId, SAMPLE.encodingAesKey);
    expect(Buffer.from(encrypted, 'base64').length % 32).toBe(0);
    expect(decryptMessage(encrypted, SAMPLE.appId, SAMPLE.encodingAesKey)).toBe(xml);
  });

  it('refuses a message for another AppID, a wrong key and garbage', () => {
    const encrypted = encryptMessage('<xml/>', 'wx1111111111111111', SAMPLE.encodingAesKey);
    expect(() => decryptMessage(encrypted, SAMPLE.appId, SAMPLE.encodingAesKey)).toThrow(
      /not for this AppID/,
    );
    const otherKey = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
    expect(() => decryptMessage(SAMPLE.encrypt, SAMPLE.appId, otherKey)).toThrow(ValidationError);
    expect(() => decryptMessage('AAAA', SAMPLE.appId, SAMPLE.encodingAesKey)).toThrow(ValidationError);
  });
});
