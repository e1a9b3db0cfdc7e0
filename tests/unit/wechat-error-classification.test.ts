import { describe, expect, it } from 'vitest';
import { classifyWechatError, WechatApiError } from '#lib/channels/wechat/wechat-api.ts';
import type { SendFailureKind } from '#lib/ports/channel.ts';

const network = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: { code } });

describe('classifyWechatError', () => {
  const cases: [string, unknown, SendFailureKind][] = [
    ['43004 require subscribe', new WechatApiError(43004, '43004 require subscribe'), 'invalid-address'],
    ['40003 invalid openid', new WechatApiError(40003, '40003 invalid openid'), 'invalid-address'],
    ['-1 system busy', new WechatApiError(-1, '-1 system error'), 'retryable'],
    ['45009 daily quota', new WechatApiError(45009, '45009 reach max api daily quota limit'), 'retryable'],
    ['HTTP 502', new WechatApiError(undefined, 'HTTP 502', 502), 'retryable'],
    ['HTTP 429', new WechatApiError(undefined, 'HTTP 429', 429), 'retryable'],
    ['40037 invalid template', new WechatApiError(40037, '40037 invalid template_id'), 'rejected'],
    ['HTTP 404', new WechatApiError(undefined, 'HTTP 404', 404), 'rejected'],
    ['connection refused', network('ECONNREFUSED'), 'retryable'],
    ['DNS failure', network('ENOTFOUND'), 'retryable'],
    ['connection reset', network('ECONNRESET'), 'unknown-outcome'],
    [
      'the request timeout',
      Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
      'unknown-outcome',
    ],
    ['anything else', 'boom', 'unknown-outcome'],
  ];

  it.each(cases)('%s → %s', (_, error, kind) => {
    expect(classifyWechatError(error).kind).toBe(kind);
  });

  it('keeps the errcode and masks personal data in the message', () => {
    const failure = classifyWechatError(
      new WechatApiError(43004, '43004 require subscribe for +8613800000001'),
    );
    expect(failure.providerCode).toBe(43004);
    expect(failure.message).toBe('WeChat answered 43004 require subscribe for +86138****0001');
  });
});
