// The rules and hostile inputs of SECURITY.md (the project's shared security list), copied here so
// that a clean clone can check them: this constant mirrors SECURITY.md — when a rule or a hostile
// input is added there, add it here, and test/security/coverage.test.ts asks for its test.
// A test covers a rule when its title starts with `rule N:`, a hostile input when it starts with
// `hostile: <input>` (the input spelled exactly as below).

/** "## Codes" … "## Templates and admin": rules 1–24, with 16a and 16b. */
export const RULES = [
  '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16', '16a', '16b',
  '17', '18', '19', '20', '21', '22', '23', '24',
] as const;

/** "## Hostile inputs a test suite should try", one entry per input (lists such as the redirect_uri variants split). */
export const HOSTILE = [
  'brute force across sessions and IPs',
  'alternate resend and guess',
  'replay a used code',
  "another interaction's code",
  'right code 50× in parallel',
  'resend flood to one number',
  'resend flood to sequential numbers',
  'premium / toll-free / disallowed-country numbers',
  'phone input 10 kB long',
  'full-width digits',
  'U+202E',
  'zero-width',
  'NUL',
  'CRLF',
  'arrays/objects in JSON',
  'registered vs unregistered numbers diffed',
  "template {{constructor.constructor('return process')()}}",
  'template {{{code}}}',
  'template oversized',
  'XSS in login_hint',
  'XSS in ui_locales',
  'XSS in state',
  'XSS in client name',
  'cross-site POST without token',
  'redirect_uri with trailing slash',
  'redirect_uri case change',
  'redirect_uri extra query',
  'redirect_uri /../',
  'redirect_uri user@evil',
  'redirect_uri other port',
  'redirect_uri http↔https',
  'code after expiry',
  'code wrong client',
  'code wrong verifier',
  'login page in a cross-origin iframe',
  'preset session cookie (fixation)',
  'phone change with a session cookie only',
] as const;
