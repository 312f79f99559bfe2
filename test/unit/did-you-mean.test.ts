// A misspelt key in the config file or a flow file is named, with the key it probably meant; a
// misspelling's consequence (the meant key then missing) is not reported as a second problem.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/load.ts';
import { closest, editDistance } from '../../src/config/did-you-mean.ts';
import { FlowError, loadFlowText } from '../../src/flows/loader.ts';
import { builtinAuthenticators } from '../../src/flows/registry.ts';

const configRefusal = (raw: unknown): string => {
  try { parseConfig(raw, 'flowgate.yaml'); } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail('accepted');
};

const flowRefusal = (text: string): FlowError => {
  try { loadFlowText('flows/x.yaml', text, builtinAuthenticators()); } catch (err) {
    assert.ok(err instanceof FlowError, String(err));
    return err;
  }
  assert.fail('accepted');
};

test('edit distance and the closest key', () => {
  assert.equal(editDistance('requirment', 'requirement'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(closest('logLevl', ['logLevel', 'appName']), 'logLevel');
  assert.equal(closest('CLIENTS', ['clients', 'users']), 'clients');
  assert.equal(closest('zzzzzz', ['clients', 'users']), undefined);
});

test('redirect_uri (singular) on a client: one line, naming the list it meant', () => {
  const message = configRefusal({ clients: [{ client_id: 'web', redirect_uri: 'https://app.example/cb' }] });
  assert.equal(message, "flowgate.yaml: clients.0.redirect_uri: unknown key; did you mean 'redirect_uris' (a list)?");
});

test('misspelt keys anywhere in the config: every one named at once, with its suggestion', () => {
  const message = configRefusal({
    logLevl: 'info',
    sms: { delivry: {}, connectors: [{ type: 'twilio', acountSid: 'AC00000000000000000000000000000000', authToken: 'x'.repeat(32), from: '+12025550100' }] },
    nonsense: true,
  });
  const lines = message.split('\n');
  assert.ok(lines.includes("flowgate.yaml: logLevl: unknown key; did you mean 'logLevel'?"), message);
  assert.ok(lines.includes("flowgate.yaml: sms.delivry: unknown key; did you mean 'delivery'?"), message);
  // Inside a connector: the keys of its own `type`.
  assert.ok(lines.includes("flowgate.yaml: sms.connectors.0.acountSid: unknown key; did you mean 'accountSid'?"), message);
  assert.ok(lines.some((l) => /^flowgate\.yaml: nonsense: unknown key \(known keys: appName, .*logLevel/.test(l)), message);
  assert.ok(!lines.some((l) => /accountSid: /.test(l)), `the missing accountSid is the misspelling's doing:\n${message}`);
});

test('a meant key that is present keeps its own problem', () => {
  const message = configRefusal({ clients: [{ client_id: 'web', redirect_uri: 'x', redirect_uris: ['not a url'] }] });
  assert.match(message, /clients\.0\.redirect_uri: unknown key; did you mean 'redirect_uris'/);
  assert.match(message, /clients\.0\.redirect_uris\.0: /);
});

test("a flow's misspelt step key is named with the one it meant, not as 'Invalid option'", () => {
  const err = flowRefusal('id: x\nsteps:\n  - id: phone\n    requirment: REQUIRED\n    authenticator: phone-number\n');
  assert.equal(err.message, "flows/x.yaml: step 'phone', field requirment: unknown key; did you mean 'requirement'?");
  assert.equal(err.pointer, '/steps/0/requirment');
});

test("a misspelt key in a step's config and at the flow's top", () => {
  const config = flowRefusal('id: x\nsteps:\n  - id: code\n    requirement: REQUIRED\n    authenticator: sms-otp\n    config:\n      codeLenght: 6\n');
  assert.equal(config.message, "flows/x.yaml: step 'code', field config.codeLenght: unknown key; did you mean 'codeLength'?");
  const top = flowRefusal('id: x\nstep:\n  - id: phone\n    requirement: REQUIRED\n    authenticator: phone-number\n');
  assert.equal(top.message, "flows/x.yaml: step (flow), field step: unknown key; did you mean 'steps' (a list)?");
});

test('an unknown authenticator close to a known one is suggested; a far one lists the known ones', () => {
  const near = flowRefusal('id: x\nsteps:\n  - id: code\n    requirement: REQUIRED\n    authenticator: sms-opt\n');
  assert.equal(near.message, "flows/x.yaml: step 'code', field authenticator: unknown authenticator 'sms-opt'; did you mean 'sms-otp'?");
  const far = flowRefusal('id: x\nsteps:\n  - id: code\n    requirement: REQUIRED\n    authenticator: fingerprint-scanner\n');
  assert.match(far.message, /unknown authenticator 'fingerprint-scanner' \(known: .*sms-otp/);
});
