// Alibaba Cloud's V3 request signature (ACS3-HMAC-SHA256), as the official SDK (@alicloud/openapi-core,
// which dysmsapi20170525 uses for SendSms) signs an RPC call: the parameters in the query string, the
// action and version in x-acs-* headers. Pure; the local stand-in verifies requests with it too.
import { createHash, createHmac } from 'node:crypto';

export const ACS3 = 'ACS3-HMAC-SHA256';

export interface Acs3Request {
  method: string;
  pathname: string;
  query: Readonly<Record<string, string>>;
  /** Every header sent; host, content-type and x-acs-* are signed. */
  headers: Readonly<Record<string, string>>;
}

/** RFC 3986 percent-encoding, as Alibaba Cloud canonicalizes (also !'()* encoded). */
export function acsEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The canonical query string: names sorted, names and values encoded. Also the query we send. */
export function acsQueryString(query: Readonly<Record<string, string>>): string {
  return Object.keys(query)
    .sort()
    .map((k) => `${k}=${acsEncode(query[k] ?? '')}`)
    .join('&');
}

function signedHeaders(headers: Readonly<Record<string, string>>): Map<string, string> {
  const signed = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-acs-') || lower === 'host' || lower === 'content-type') {
      signed.set(lower, [...(signed.get(lower) ?? []), value.trim()]);
    }
  }
  return new Map([...signed.keys()].sort().map((k) => [k, (signed.get(k) ?? []).sort().join(',')]));
}

/** The Authorization header for a request whose body hashes to payloadSha256. */
export function acs3Authorization(
  request: Acs3Request,
  payloadSha256: string,
  accessKeyId: string,
  accessKeySecret: string,
): string {
  const headers = signedHeaders(request.headers);
  const names = [...headers.keys()].join(';');
  const canonicalRequest = [
    request.method,
    request.pathname.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~'),
    acsQueryString(request.query),
    [...headers].map(([k, v]) => `${k}:${v}\n`).join(''),
    names,
    payloadSha256,
  ].join('\n');
  const stringToSign = `${ACS3}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac('sha256', accessKeySecret).update(stringToSign).digest('hex');
  return `${ACS3} Credential=${accessKeyId},SignedHeaders=${names},Signature=${signature}`;
}

/** `2026-12-05T02:00:00Z`: x-acs-date, whole seconds in UTC. */
export const acsDate = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;
