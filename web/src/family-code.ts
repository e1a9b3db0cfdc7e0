// Family codes a coordinator can read out on the phone ("J7K3P") instead of internal ids. Derived from
// the family's id, so a family keeps its code whatever is added or removed around it, on every phone.
// No 0/O or 1/I: they are misread on paper and misheard on the phone.
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** FNV-1a, 32 bits: a stable, well-spread hash of the id. */
function hash(id: string): number {
  let h = 0x811c9dc5;
  for (const ch of id) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function code(id: string, length: number): string {
  let h = hash(id);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += ALPHABET[h % 32];
    h = Math.floor(h / 32);
  }
  return `J${out}`;
}

/**
 * Each family's code: four characters, or six for the few families of a centre whose four would
 * clash (about one centre in a hundred with 150 families), so codes are unique within the list.
 */
export function familyCodes(ids: readonly string[]): Map<string, string> {
  const short = new Map<string, string[]>();
  for (const id of ids) short.set(code(id, 4), [...(short.get(code(id, 4)) ?? []), id]);
  const codes = new Map<string, string>();
  for (const [c, owners] of short)
    for (const id of owners) codes.set(id, owners.length === 1 ? c : code(id, 6));
  return codes;
}
