// WeChat's signatures and its "safe mode" message encryption (消息加解密), on node:crypto only.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignatureError, ValidationError } from '#lib/errors.ts';

/**
 * WeChat's signature: sha1 (hex) of the parts sorted as strings and concatenated. The URL check
 * signs [token, timestamp, nonce]; in safe mode `msg_signature` signs [token, timestamp, nonce, Encrypt].
 */
export function wechatSignature(...parts: string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** Compares a received signature in constant time; throws SignatureError when it does not match. */
export function checkSignature(received: string | undefined, expected: string, what: string): void {
  if (!received) throw new SignatureError(`missing ${what}`);
  const a = Buffer.from(received.toLowerCase());
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new SignatureError(`${what} does not match`);
}

/** AES-256-CBC with PKCS#7 padding to 32-byte blocks (not AES's 16), as WeChat pads. */
const BLOCK = 32;
const ENCODING_AES_KEY = /^[A-Za-z0-9]{43}$/;

/**
 * The key and IV of an EncodingAESKey: key = base64(EncodingAESKey + "="), 32 bytes; IV = its first 16.
 * The 43-character key is what the WeChat console shows (and what the operator stores in the secret).
 */
export function aesKeyOf(encodingAesKey: string): { key: Buffer; iv: Buffer } {
  if (!ENCODING_AES_KEY.test(encodingAesKey)) {
    throw new ValidationError('EncodingAESKey must be 43 letters and digits');
  }
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  return { key, iv: key.subarray(0, 16) };
}

/**
 * Encrypts a reply: base64(AES(random 16 bytes + length of msg, 4 bytes big-endian + msg + appId)).
 * `random` is injectable so a test can reproduce WeChat's own sample.
 */
export function encryptMessage(
  xml: string,
  appId: string,
  encodingAesKey: string,
  random: Buffer = randomBytes(16),
): string {
  const { key, iv } = aesKeyOf(encodingAesKey);
  const msg = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(msg.length, 0);
  const plain = Buffer.concat([random, length, msg, Buffer.from(appId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

/**
 * Decrypts an `Encrypt` value and returns the XML inside, after checking the padding, the length and
 * that the message is for our AppID. Anything malformed is a ValidationError (a 400): the signature
 * was already checked, so this is not a forgery but a broken request.
 */
export function decryptMessage(encrypted: string, appId: string, encodingAesKey: string): string {
  const { key, iv } = aesKeyOf(encodingAesKey);
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) {
    throw new ValidationError('invalid WeChat message: Encrypt is not AES ciphertext');
  }
  const decipher = createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch (error) {
    throw new ValidationError('invalid WeChat message: Encrypt does not decrypt', { cause: error });
  }
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK || pad > plain.length) {
    throw new ValidationError('invalid WeChat message: bad padding');
  }
  const content = plain.subarray(16, plain.length - pad);
  if (content.length < 4) throw new ValidationError('invalid WeChat message: too short');
  const length = content.readUInt32BE(0);
  if (length > content.length - 4) throw new ValidationError('invalid WeChat message: bad length');
  const xml = content.subarray(4, 4 + length).toString('utf8');
  const forApp = content.subarray(4 + length).toString('utf8');
  if (forApp !== appId) throw new ValidationError('invalid WeChat message: not for this AppID');
  return xml;
}
