// The CLI's one table: every command, its summary, its options (type, description, required) and
// its handler (loaded when it runs). src/cli/args.ts parses by it and generates help from it.
import { isEmail } from '../accounts/create.ts';
import { lazy, type CommandSpec, type OptionSpec } from './args.ts';

const users = () => import('./users.ts');
const clients = () => import('./clients.ts');
const flows = () => import('./flows.ts');
const keys = () => import('./keys.ts');
const setup = () => import('./setup.ts');
const sms = () => import('./sms.ts');

const httpUrl = (v: string) => {
  // The URL parser drops tabs and newlines; init would write them into its file as they are.
  if (/[\u0000-\u0020\u007f]/.test(v)) return 'no spaces or control characters';
  if (v.includes('#')) return 'no fragment (#…)';
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol) ? undefined : 'use an http(s) URL';
  } catch {
    return 'not a URL';
  }
};
const clientId = (v: string) => (/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(v) ? undefined : 'use letters, digits, dots, dashes and underscores (up to 200)');

const PHONE: OptionSpec = { type: 'string', value: 'number', description: 'the phone number, in any spelling (+1 202 555 0100, or national in defaultRegion)', required: true };
const FLOW_ID: OptionSpec = { type: 'string', value: 'flow', description: 'the flow\'s id (see flowgate flows list)', required: true };

export const commands: CommandSpec[] = [
  {
    name: 'init', summary: 'Write a commented starter config file (a client with a new secret, the console SMS connector)',
    details: 'Never overwrites: an existing file is left alone (exit 1). The client secret is printed once, and is in the file.',
    options: {
      file: { type: 'string', value: 'path', description: 'where to write it (default flowgate.yaml)' },
      issuer: { type: 'string', value: 'url', description: 'the public URL flowgate will run at, for the start line (default http://localhost:3000)', check: httpUrl },
      'client-id': { type: 'string', value: 'id', description: 'the first client\'s client_id (default my-app)', check: clientId },
      'redirect-uri': { type: 'string', value: 'url', description: 'its redirect URI (default http://localhost:8080/callback)', check: httpUrl },
    },
    examples: ['flowgate init', 'flowgate init --file /etc/flowgate/flowgate.yaml --issuer https://id.example.com --redirect-uri https://app.example.com/callback'],
    run: lazy(setup, 'init'),
  },
  {
    name: 'config check', summary: 'Check the config file and the flows as a start would, printing every problem',
    details: 'Reads --file, else FLOWGATE_CONFIG (none: the defaults), the environment (PORT, DATABASE_URL, …), the flows of\n'
      + 'flowsDir, plugin authenticators, branding and template overrides. Exit 1 on any problem.',
    options: { file: { type: 'string', value: 'path', description: 'the config file (default: FLOWGATE_CONFIG)' } },
    run: lazy(setup, 'check'),
  },
  {
    name: 'users list', summary: 'List accounts, newest first',
    options: {
      search: { type: 'string', value: 'text', description: 'only accounts whose phone has these digits or whose name has this text' },
      limit: { type: 'string', value: 'n', description: 'at most this many (1 to 1000; default 50)', check: (v) => (/^\d{1,4}$/.test(v) && +v >= 1 && +v <= 1000 ? undefined : 'use a whole number from 1 to 1000') },
    },
    run: lazy(users, 'list'),
  },
  {
    name: 'users add', summary: 'Add an account with a verified phone number (audited as cli)',
    options: {
      phone: PHONE,
      name: { type: 'string', value: 'name', description: 'the person\'s name (the `name` claim)' },
      email: { type: 'string', value: 'email', description: 'an email address (the `email` claim)', check: (v) => (isEmail(v) ? undefined : 'not an email address') },
    },
    examples: ['flowgate users add --phone "+1 202 555 0100" --name "Ada"'],
    run: lazy(users, 'add'),
  },
  { name: 'users show', summary: 'Show one account (never a password hash)', options: { phone: PHONE }, run: lazy(users, 'show') },
  {
    name: 'users remove', summary: 'Delete an account; its sessions and tokens end first (audited as cli)',
    options: { phone: PHONE, yes: { type: 'boolean', description: 'do not ask (needed when stdin is not a terminal)' } },
    run: lazy(users, 'remove'),
  },
  {
    name: 'users unlock', summary: 'Clear the guessing lockout of a number and its account, and the number\'s sending caps',
    options: { phone: PHONE }, run: lazy(users, 'unlock'),
  },
  {
    name: 'clients list', summary: 'List the relying apps: the config file\'s and those added here (never a secret)',
    options: {}, run: lazy(clients, 'list'),
  },
  {
    name: 'clients add', summary: 'Add a relying app; its generated secret is printed once (audited as cli)',
    details: 'Every running instance serves it from its next request. A public client (--public) has no secret and must use PKCE S256.',
    options: {
      name: { type: 'string', value: 'name', description: 'the app\'s name, shown on the consent page', required: true },
      'redirect-uri': { type: 'string', value: 'url', description: 'a redirect URI (matched exactly)', required: true, multiple: true, check: httpUrl },
      'post-logout-redirect-uri': { type: 'string', value: 'url', description: 'where RP-initiated logout may return to', multiple: true, check: httpUrl },
      id: { type: 'string', value: 'client_id', description: 'the client_id (default: made from the name)', check: clientId },
      public: { type: 'boolean', description: 'no secret (a browser or mobile app; PKCE S256 required)' },
    },
    examples: ['flowgate clients add --name "Team portal" --redirect-uri https://portal.example.com/callback'],
    run: lazy(clients, 'add'),
  },
  {
    name: 'clients remove', summary: 'Remove a client added here; it can no longer sign anyone in (audited as cli)',
    options: { id: { type: 'string', value: 'client_id', description: 'the client to remove', required: true } },
    run: lazy(clients, 'remove'),
  },
  { name: 'flows list', summary: 'List the flows: id, kind, active version, bound purposes', options: {}, run: lazy(flows, 'list') },
  { name: 'flows show', summary: 'Show a flow\'s active version: kind, steps and versions', options: { id: FLOW_ID }, run: lazy(flows, 'show') },
  {
    name: 'flows export', summary: 'Print a flow\'s active version as a flows/*.yaml file (stdout; --json: the document)',
    options: { id: FLOW_ID }, examples: ['flowgate flows export --id sign-in > my-flow.yaml'], run: lazy(flows, 'exportFlow'),
  },
  {
    name: 'flows import', summary: 'Create a flow from a file, or a new version of an admin\'s flow (audited as cli)',
    options: { file: { type: 'string', value: 'flow.yaml', description: 'the flow file (YAML, as in flows/)', required: true } },
    run: lazy(flows, 'importFlow'),
  },
  {
    name: 'sms test', summary: 'Send a test SMS through the configured connectors',
    details: 'Refused destinations (a country not allowed, a non-mobile number) call no provider. The delivery\'s log lines go to stderr.',
    options: {
      to: { type: 'string', value: 'number', description: 'the phone number to send to', required: true },
      connector: { type: 'string', value: 'index', description: 'only this connector of sms.connectors (0 is the first; no failover)', check: (v) => (/^\d{1,3}$/.test(v) ? undefined : 'the index of a connector in sms.connectors (0 is the first)') },
    },
    run: lazy(sms, 'test'),
  },
  { name: 'keys list', summary: 'List the signing and cookie keys: id, algorithm, state, times (never private material)', options: {}, run: lazy(keys, 'list') },
  {
    name: 'keys rotate', summary: 'Add a new signing and cookie key; the replaced ones keep verifying until they retire',
    details: 'Every running instance picks the new keys up from the store on its next request (no restart). Audited as cli.',
    options: {
      signing: { type: 'boolean', description: 'rotate the signing key (alone, or with --cookie)' },
      cookie: { type: 'boolean', description: 'rotate the cookie key (alone, or with --signing)' },
      now: { type: 'boolean', description: 'the new signing key signs at once, not after keys.activateAfterSeconds' },
    },
    run: lazy(keys, 'rotate'),
  },
  { name: 'admin grant', summary: 'Give the account with this number the admin role (the admin API and console)', options: { phone: PHONE }, run: lazy(users, 'grant') },
  { name: 'admin revoke', summary: 'Take the admin role back from the account with this number', options: { phone: PHONE }, run: lazy(users, 'revoke') },
];

export const groups: Record<string, string> = {
  config: 'the config file', users: 'accounts', clients: 'relying apps', flows: 'sign-in flows', sms: 'SMS delivery', keys: 'signing and cookie keys', admin: 'the admin role',
};
