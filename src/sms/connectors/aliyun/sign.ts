// Alibaba Cloud RPC request signature (SignatureMethod HMAC-SHA1, SignatureVersion 1.0), as pure functions:
// percent-encode every name and value (RFC 3986: only A-Z a-z 0-9 - _ . ~ stay literal, space is %20,
// multi-byte characters are their UTF-8 bytes), sort by name, join as name=value&..., then
// StringToSign = METHOD & encode('/') & encode(canonicalized query), and
// Signature = base64(HMAC-SHA1(AccessKeySecret + '&', StringToSign)).
import { createHmac } from 'node:crypto';

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** The provider's percent-encoding: byte-wise over UTF-8, upper-case hex, nothing but the unreserved set literal. */
export function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Encoded name=value pairs sorted by parameter name (plain code-unit order), `Signature` left out. */
export function canonicalizedQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((name) => name !== 'Signature')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name]!)}`)
    .join('&');
}

export function stringToSign(method: 'GET' | 'POST', params: Record<string, string>): string {
  return `${method}&${percentEncode('/')}&${percentEncode(canonicalizedQuery(params))}`;
}

/** The `Signature` value (base64, not yet percent-encoded). */
export function rpcSignature(method: 'GET' | 'POST', params: Record<string, string>, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign(method, params), 'utf8').digest('base64');
}

/** The full query string to send: the canonicalized parameters plus `Signature`, all percent-encoded. */
export function signedQuery(method: 'GET' | 'POST', params: Record<string, string>, accessKeySecret: string): string {
  return `${canonicalizedQuery(params)}&Signature=${percentEncode(rpcSignature(method, params, accessKeySecret))}`;
}
