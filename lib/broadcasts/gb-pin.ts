// The second factor of a coordinator's GB by text: a PIN only the coordinator knows, since the SMS
// sender number alone can be forged. Set through the coordinators' API, stored as a scrypt hash with
// its own random salt (never the PIN, never logged). Wrong PINs are counted per coordinator; after
// GB_PIN_MAX_FAILURES the coordinator's GB is locked until a PIN is set again, and the Centre's
// coordinators get a task saying so.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '#lib/errors.ts';

/** Wrong PINs in a row before GB is locked for that coordinator. */
export const GB_PIN_MAX_FAILURES = 3;

const KEY_LENGTH = 32;
// scrypt's cost: N=2^14, r=8, p=1 (16 MiB, a few tens of ms): dear for a guesser with the hash,
// cheap for one GB. Kept with the hash, so a later change still verifies old PINs.
const COST = { N: 16_384, r: 8, p: 1 } as const;

export interface PinHash {
  /** base64 */
  salt: string;
  /** base64 */
  hash: string;
  N: number;
  r: number;
  p: number;
}

/** 4 to 8 digits (full-width digits fold to ASCII); not one digit repeated, not a plain run (1234). */
export function normalisePin(pin: string): string {
  const digits = pin.normalize('NFKC').trim();
  if (!/^\d{4,8}$/.test(digits)) throw new ValidationError('the PIN must be 4 to 8 digits');
  const steps = [...digits].slice(1).map((d, i) => Number(d) - Number(digits[i]));
  if (steps.every((s) => s === 0)) throw new ValidationError('the PIN must not be one digit repeated');
  if (steps.every((s) => s === 1) || steps.every((s) => s === -1))
    throw new ValidationError('the PIN must not be a run of digits such as 1234');
  return digits;
}

export async function hashPin(pin: string): Promise<PinHash> {
  const salt = randomBytes(16);
  const hash = await derive(normalisePin(pin), salt, COST);
  return { salt: salt.toString('base64'), hash: hash.toString('base64'), ...COST };
}

/** Whether the PIN typed matches the stored hash (in constant time). */
export async function verifyPin(typed: string, stored: PinHash): Promise<boolean> {
  const digits = typed.normalize('NFKC').trim();
  if (!/^\d{4,8}$/.test(digits)) return false;
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await derive(digits, Buffer.from(stored.salt, 'base64'), stored);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function derive(pin: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin, salt, KEY_LENGTH, { N: cost.N, r: cost.r, p: cost.p }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/**
 * `4821 明天下午三点开家长会` → the PIN and the message; undefined when the text does not start with
 * 4–8 digits and a space (or colon). The message is kept as written.
 */
export function splitPin(text: string): { pin: string; message: string } | undefined {
  const match = /^([0-9０-９]{4,8})(?:[\s:：,，]+([\s\S]*))?$/u.exec(text.trim());
  if (!match?.[1]) return undefined;
  return { pin: match[1].normalize('NFKC'), message: (match[2] ?? '').trim() };
}
