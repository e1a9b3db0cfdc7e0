// The console's family codes (web/src/family-code.ts): short, easy to read out, the same for a family
// whatever else is in the list, and unique within it.
import { describe, expect, it } from 'vitest';
import { familyCodes } from '../../web/src/family-code.ts';

const ids = (n: number, prefix = 'fam') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('familyCodes', () => {
  it('gives each family J and four characters, none of 0, 1, I or O', () => {
    const codes = familyCodes(ids(200));
    expect(codes.size).toBe(200);
    for (const code of codes.values()) {
      expect(code).toMatch(/^J[A-Z2-9]{4}(?:[A-Z2-9]{2})?$/);
      expect(code.slice(1)).not.toMatch(/[01IO]/);
    }
  });

  it("keeps a family's code whatever is added, removed or reordered around it", () => {
    const list = ids(50);
    const before = familyCodes(list);
    const after = familyCodes([...ids(30, 'new'), ...list.slice(10)].reverse());
    for (const id of list.slice(10)) expect(after.get(id)).toBe(before.get(id));
  });

  it('never gives two families of a list the same code, lengthening the ones that would clash', () => {
    // Find two ids whose four-character codes clash (each code alone, as a list of one gives it).
    const seen = new Map<string, string>();
    let clash: [string, string] | undefined;
    for (let i = 0; !clash && i < 1_000_000; i++) {
      const id = `fam-${i.toString(36)}-${(i * 7919).toString(36)}`;
      const code = familyCodes([id]).get(id) ?? '';
      const other = seen.get(code);
      if (other) clash = [other, id];
      else seen.set(code, id);
    }
    if (!clash) throw new Error('no clash found');
    const [a, b] = clash;
    const alone = familyCodes([a]).get(a);
    const codes = familyCodes([a, 'fam-other', b]);
    expect(codes.get(a)).toHaveLength(7);
    expect(codes.get(b)).toHaveLength(7);
    expect(codes.get(a)?.slice(0, 5)).toBe(alone);
    expect(codes.get(a)).not.toBe(codes.get(b));
    expect(codes.get('fam-other')).toBe(familyCodes(['fam-other']).get('fam-other'));
    expect(new Set(familyCodes(ids(3000)).values()).size).toBe(3000);
  });
});
