// Tencent Cloud API 3.0's request signature (TC3-HMAC-SHA256), as the official SDK
// (tencentcloud-sdk-nodejs-common) signs a JSON POST: content-type and host signed, the body hashed,
// keys derived per day and service. Pure; the local stand-in verifies requests with it too.
import { createHash, createHmac } from 'node:crypto';

export const TC3 = 'TC3-HMAC-SHA256';

export interface Tc3Request {
  method: 'GET' | 'POST';
  /** The host name without a port, as the SDK signs it. */
  hostname: string;
  path: string;
  /** The query string without `?` ('' for a POST). */
  query: string;
  contentType: string;
  payload: string;
  /** Seconds since the epoch, as sent in X-TC-Timestamp. */
  timestamp: number;
  service: string;
}

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** The UTC date of the timestamp, YYYY-MM-DD: the credential scope's first part. */
export const tc3Date = (timestamp: number): string => new Date(timestamp * 1000).toISOString().slice(0, 10);

/** The Authorization header for the request. */
export function tc3Authorization(request: Tc3Request, secretId: string, secretKey: string): string {
  const signedHeaders = 'content-type;host';
  const canonicalRequest = [
    request.method,
    request.path,
    request.query,
    `content-type:${request.contentType}\nhost:${request.hostname}\n`,
    signedHeaders,
    sha256Hex(request.payload),
  ].join('\n');
  const date = tc3Date(request.timestamp);
  const scope = `${date}/${request.service}/tc3_request`;
  const stringToSign = `${TC3}\n${request.timestamp}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const secretDate = hmac(`TC3${secretKey}`, date);
  const secretService = hmac(secretDate, request.service);
  const secretSigning = hmac(secretService, 'tc3_request');
  const signature = createHmac('sha256', secretSigning).update(stringToSign, 'utf8').digest('hex');
  return `${TC3} Credential=${secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}
