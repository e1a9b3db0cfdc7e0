import { describe, expect, it } from 'vitest';
import { maskDeep, maskPhone, maskPhonesIn } from '#lib/observability/mask.ts';

describe('maskPhone', () => {
  it.each([
    ['+8613800000001', '+86138****0001'],
    ['+86 138 0000 0001', '+86138****0001'],
    ['+86-138-0000-0001', '+86138****0001'],
    ['8613800000001', '86138****0001'],
    ['13800000001', '138****0001'],
    ['+15005550006', '+150****0006'],
    ['0731-8888 1234', '0731****1234'],
    ['+123456789', '+1****6789'],
    ['12345678', '****5678'],
    ['+1234567', '****'],
    ['1234567', '****'],
  ])('%s → %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it.each(['+8613800000001', '13800000001', '+123456789', '12345678', '+1234567'])(
    'hides at least four digits of %s',
    (phone) => {
      const shown = maskPhone(phone).replace(/\D/g, '').length;
      expect(phone.replace(/\D/g, '').length - shown).toBeGreaterThanOrEqual(4);
    },
  );

  it('keeps different numbers apart but hides the middle digits', () => {
    const a = maskPhone('+8613800000001');
    const b = maskPhone('+8613800000002');
    expect(a).not.toBe(b);
    expect(a).not.toContain('00000');
  });
});

describe('maskPhonesIn', () => {
  it.each([
    ['+8613800000001', '+86138****0001'],
    ['message from +8613800000001 not processed', 'message from +86138****0001 not processed'],
    ['来自+8613800000001的短信', '来自+86138****0001的短信'],
    ['from 13800000001.', 'from 138****0001.'],
    ['call +86 138 0000 0001 now', 'call +86138****0001 now'],
    ['to +8613800000001, +8613900000002', 'to +86138****0001, +86139****0002'],
    ['13800000001 13900000002', '138****0001 139****0002'],
    ['13800000001-13900000002', '138****0001-139****0002'],
    ['ADDR#sms#+8613800000001', 'ADDR#sms#+86138****0001'],
    ['(+8613800000001)', '(+86138****0001)'],
    ['From=%2B8613800000001&To=%2b8613700000001', 'From=%2B86138****0001&To=%2b86137****0001'],
    ['on 2026-11-25 13800000001', 'on 2026-11-25 138****0001'],
  ])('masks %j', (text, masked) => {
    expect(maskPhonesIn(text)).toBe(masked);
  });

  it.each([
    'year 2026',
    'week 2026-W48',
    'short code 10086 and 95588',
    'answered 3 of 7 questions',
    'started 2026-11-25T02:00:00.000Z',
    'on 2026-11-25, again on 2026-12-02',
    'took 1234 ms, 12345678 bytes',
    'messageId SM0123456789abcdef0123456789abcdef',
    'account AC00000000000000000000000000000000',
    'alert child-xm#2026-W48#mood',
    '请回复0-7',
    'no digits at all',
    '',
  ])('leaves %j alone', (text) => {
    expect(maskPhonesIn(text)).toBe(text);
  });
});

describe('maskDeep', () => {
  it('masks strings at every depth and in arrays', () => {
    const input = {
      from: '+8613800000001',
      nested: { contact: { addresses: ['+8613900000001', { address: 'tel +8613900000002' }] } },
      list: ['a', '13700000001'],
    };
    expect(maskDeep(input)).toEqual({
      from: '+86138****0001',
      nested: { contact: { addresses: ['+86139****0001', { address: 'tel +86139****0002' }] } },
      list: ['a', '137****0001'],
    });
  });

  it('leaves non-strings as they are and does not change the input', () => {
    const input = { count: 13800000001, ok: true, none: null, missing: undefined, from: '+8613800000001' };
    const masked = maskDeep(input);
    expect(masked).toEqual({
      count: 13800000001,
      ok: true,
      none: null,
      missing: undefined,
      from: '+86138****0001',
    });
    expect(input.from).toBe('+8613800000001');
  });

  it.each([
    [42, 42],
    [null, null],
    [undefined, undefined],
    ['+8613800000001', '+86138****0001'],
    [['+8613800000001'], ['+86138****0001']],
  ])('%j → %j', (value, masked) => {
    expect(maskDeep(value)).toEqual(masked);
  });
});
