// Tencent Cloud API 3.0 request signature TC3-HMAC-SHA256, as a pure function. Canonical request:
// POST \n / \n (empty query) \n content-type:<ct>\nhost:<host>\n \n content-type;host \n hex(sha256(payload));
// StringToSign: TC3-HMAC-SHA256 \n <timestamp> \n <UTC date>/<service>/tc3_request \n hex(sha256(canonical request));
// key: HMAC chain 'TC3'+SecretKey → date → service → 'tc3_request'; Signature: hex(HMAC(key, StringToSign)).
import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 'TC3-HMAC-SHA256';
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const SIGNED_HEADERS = 'content-type;host';

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  /** Product name, the first label of its host: `sms`, `cvm`. */
  service: string;
  /** The Host header exactly as sent (with `:port` when not the default one). */
  host: string;
  /** Unix seconds; the same value goes in X-TC-Timestamp. */
  timestamp: number;
  /** The exact request body bytes (as a string) that will be sent. */
  payload: string;
  contentType?: string;
}

export interface Tc3Result {
  authorization: string;
  signature: string;
  date: string;
  credentialScope: string;
  hashedPayload: string;
  canonicalRequest: string;
  stringToSign: string;
}

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, msg: string) => createHmac('sha256', key).update(msg, 'utf8').digest();

/** The UTC calendar date of a Unix timestamp (never the local one), as YYYY-MM-DD. */
export function tc3Date(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export function signTc3(input: Tc3Input): Tc3Result {
  const contentType = (input.contentType ?? JSON_CONTENT_TYPE).trim().toLowerCase();
  const host = input.host.trim().toLowerCase();
  const hashedPayload = sha256Hex(input.payload);
  const canonicalRequest = [
    'POST',
    '/',
    '',
    `content-type:${contentType}\nhost:${host}\n`,
    SIGNED_HEADERS,
    hashedPayload,
  ].join('\n');
  const date = tc3Date(input.timestamp);
  const credentialScope = `${date}/${input.service}/tc3_request`;
  const stringToSign = [ALGORITHM, String(input.timestamp), credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const secretDate = hmac(`TC3${input.secretKey}`, date);
  const secretService = hmac(secretDate, input.service);
  const secretSigning = hmac(secretService, 'tc3_request');
  const signature = createHmac('sha256', secretSigning).update(stringToSign, 'utf8').digest('hex');
  const authorization = `${ALGORITHM} Credential=${input.secretId}/${credentialScope}, SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`;
  return { authorization, signature, date, credentialScope, hashedPayload, canonicalRequest, stringToSign };
}
