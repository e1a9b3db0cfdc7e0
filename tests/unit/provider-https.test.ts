import { describe, expect, it } from 'vitest';
import { classifyNoAnswer } from '#lib/channels/provider-https.ts';

describe('a SendSms request that got no answer', () => {
  it.each([
    ['nothing listening', { code: 'ECONNREFUSED' }, 'retryable'],
    ['no such host', { code: 'ENOTFOUND' }, 'retryable'],
    ['our timeout before the connection was made', { code: 'ETIMEDOUT', syscall: 'connect' }, 'retryable'],
    ['our timeout once connected', { code: 'ECONNABORTED' }, 'unknown-outcome'],
    ['a connection reset after the request left', { code: 'ECONNRESET' }, 'unknown-outcome'],
    ['a read ETIMEDOUT (not the connect)', { code: 'ETIMEDOUT', syscall: 'read' }, 'unknown-outcome'],
    ['something unrecognised', new Error('odd'), 'unknown-outcome'],
  ] as const)('%s', (_, error, kind) => {
    const failure = classifyNoAnswer(error, 'Tencent Cloud');
    expect(failure.kind).toBe(kind);
    expect(failure.message).toContain('Tencent Cloud');
  });
});
