import { describe, expect, it } from 'vitest';
import { hashPin, normalisePin, splitPin, verifyPin } from '#lib/broadcasts/gb-pin.ts';
import { ValidationError } from '#lib/errors.ts';

describe('a GB PIN', () => {
  it('is stored as a salted scrypt hash that verifies the PIN and nothing else', async () => {
    const stored = await hashPin('4821');
    expect(JSON.stringify(stored)).not.toContain('4821');
    expect(await verifyPin('4821', stored)).toBe(true);
    expect(await verifyPin('４８２１', stored)).toBe(true);
    for (const wrong of ['4820', '48210', '', 'abcd', '1234'])
      expect(await verifyPin(wrong, stored)).toBe(false);
    // Seven scrypt derivations (16 MiB each): room for a busy machine, not a timing assertion.
  }, 20_000);

  it('gets its own salt each time: the same PIN twice hashes differently', async () => {
    const [a, b] = await Promise.all([hashPin('4821'), hashPin('4821')]);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(await verifyPin('4821', b)).toBe(true);
  });

  it.each(['123', '123456789', '12a4', '1111', '1234', '9876', ' '])('refuses %j', (pin) => {
    expect(() => normalisePin(pin)).toThrow(ValidationError);
  });

  it.each(['4821', '０４８２', '90210375'])('accepts %j', (pin) => {
    expect(normalisePin(pin)).toMatch(/^\d{4,8}$/);
  });
});

describe('splitPin', () => {
  it.each([
    ['4821 明天下午三点开家长会', { pin: '4821', message: '明天下午三点开家长会' }],
    ['４８２１　明天开会', { pin: '4821', message: '明天开会' }],
    ['4821：明天开会', { pin: '4821', message: '明天开会' }],
    ['4821', { pin: '4821', message: '' }],
    ['482193 3点开会', { pin: '482193', message: '3点开会' }],
  ])('%j', (text, expected) => {
    expect(splitPin(text)).toEqual(expected);
  });

  it.each(['明天开会', '3点开会', '482 明天', '4821明天开会'])('%j has no PIN in front', (text) => {
    expect(splitPin(text)).toBeUndefined();
  });
});
