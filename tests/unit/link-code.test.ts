import { describe, expect, it } from 'vitest';
import { formatLinkCode, isCodeAttempt, linkCodeFromScene, readLinkCode } from '#lib/domain/link-code.ts';

describe('readLinkCode', () => {
  it.each([
    ['48219307', '48219307'],
    ['4821 9307', '48219307'],
    [' 4821-9307。', '48219307'],
    ['４８２１ ９３０７', '48219307'],
    ['“48219307”', '48219307'],
  ])('reads %j', (text, code) => {
    expect(readLinkCode(text)).toBe(code);
  });

  it.each(['4821930', '482193071', '签到', '4821 93O7', ''])('finds no code in %j', (text) => {
    expect(readLinkCode(text)).toBeUndefined();
  });
});

describe('isCodeAttempt', () => {
  it.each(['1234', '4821930', '123456789012', '12 34 56'])('%j is a try at a code', (text) => {
    expect(isCodeAttempt(text)).toBe(true);
  });

  it.each(['1', '123', '签到', '你好', '小明很好', '1234567890123'])('%j is not', (text) => {
    expect(isCodeAttempt(text)).toBe(false);
  });
});

describe('QR scene values', () => {
  it.each([
    ['qrscene_48219307', '48219307'],
    ['48219307', '48219307'],
    ['qrscene_centre-shimen', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (key, code) => {
    expect(linkCodeFromScene(key)).toBe(code);
  });
});

it('prints a code in two groups of four', () => {
  expect(formatLinkCode('48219307')).toBe('4821 9307');
});
