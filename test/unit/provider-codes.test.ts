// Provider error codes are looked up in own keys only, exactly or by prefix, then by HTTP status.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeFor, codeForStatus } from '../../src/sms/connectors/codes.ts';

test('a provider code like "constructor" finds nothing inherited; prefixes and statuses still map', () => {
  const byCode = { 'isv.MOBILE_NUMBER_ILLEGAL': 'invalid_recipient' } as const;
  assert.equal(codeFor('constructor', byCode), undefined);
  assert.equal(codeFor('__proto__', byCode, [['isv.', 'rejected']]), undefined);
  assert.equal(codeFor('isv.MOBILE_NUMBER_ILLEGAL', byCode), 'invalid_recipient');
  assert.equal(codeFor('isv.OTHER', byCode, [['isv.', 'rejected']]), 'rejected');
  assert.deepEqual([401, 403, 429, 503, 400].map(codeForStatus), ['invalid_config', 'invalid_config', 'rate_limited', 'unavailable', 'rejected']);
  assert.deepEqual([404, 405, 307, 408, 422].map(codeForStatus), ['invalid_config', 'invalid_config', 'invalid_config', 'unavailable', 'rejected']);
});
