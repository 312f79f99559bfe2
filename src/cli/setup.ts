// The handlers of `flowgate init` (options: src/cli/commands.ts; a commented starter config file: a client with a generated secret, the console
// SMS connector, the JSON Schema reference for editors; never overwrites) and `flowgate config check`
// (every problem of the config file and the flows at once, src/config/check.ts).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSetup, problemsSummary } from '../config/check.ts';
import { invoked, UsageError, type Handler } from './args.ts';
import { CliError, print } from './context.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The config file's JSON Schema (generated from src/config/schema.ts), at the repository's root. */
const SCHEMA = join(root, 'config.schema.json');

/** The schema's path as the written file should name it: relative inside the repository, else absolute. */
export function schemaReference(file: string): string {
  const inRepo = relative(root, resolve(file));
  if (inRepo.startsWith('..') || isAbsolute(inRepo)) return SCHEMA;
  const rel = relative(dirname(resolve(file)), SCHEMA);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

function starter(o: { file: string; issuer: string; clientId: string; secret: string; redirect: string }): string {
  const app = new URL(o.redirect);
  return `# yaml-language-server: $schema=${schemaReference(o.file)}
# flowgate configuration, written by \`flowgate init\`. Every key, its default and what it means:
# README "Configuration file" (editors that read the schema line above complete and check keys).
#   check it:  flowgate config check --file ${o.file}
#   start:     FLOWGATE_CONFIG=${o.file} FLOWGATE_ISSUER=${o.issuer} npm start
#   discovery: ${o.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration

# Shown on the pages and in SMS messages as {{appName}}.
appName: flowgate
# Numbers typed without a +country code are read in this region; SMS go only to it unless
# sms.allowedCountries names more.
defaultRegion: US

# The relying apps. More can be added without a restart: flowgate clients add --name … --redirect-uri …
clients:
  - client_id: ${o.clientId}
    client_name: My app
    # A secret: keep this file out of version control (the app sends it with client_secret_basic).
    # Leave it out for a public client (a browser or mobile app), which must then use PKCE S256.
    client_secret: "${o.secret}"
    redirect_uris: [${JSON.stringify(o.redirect)}]          # matched exactly, nothing else
    post_logout_redirect_uris: [${JSON.stringify(`${app.origin}/`)}]
    grant_types: [authorization_code, refresh_token]

sms:
  connectors:
    # \`console\` prints each message on the server's console: for development (refused with
    # NODE_ENV=production). Put a provider first (twilio, vonage, messagebird, …: README "SMS providers").
    - type: console

# Accounts made at start if missing (people can also sign up, or: flowgate users add --phone …).
# users:
#   - phone: "+12025550100"
#     name: Ada Example
`;
}

export const init: Handler = async (values, ctx) => {
  const file = (values.file as string | undefined) ?? 'flowgate.yaml';
  if (/[\r\n]/.test(file)) throw new UsageError('--file: a path without line breaks (it is written into the file\'s comments)');
  const issuer = (values.issuer as string | undefined) ?? 'http://localhost:3000';
  const clientId = (values['client-id'] as string | undefined) ?? 'my-app';
  const secret = randomBytes(32).toString('base64url');
  const text = starter({ file, issuer, clientId, secret, redirect: (values['redirect-uri'] as string | undefined) ?? 'http://localhost:8080/callback' });
  try {
    writeFileSync(file, text, { flag: 'wx', mode: 0o600 }); // wx: fails if it exists, never a half-overwritten file
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(code === 'EEXIST' ? `${file} exists already; init never overwrites it (choose another --file)` : `cannot write ${file}: ${code ?? (err as Error).message}`);
  }
  print(ctx, { file, client_id: clientId, client_secret: secret, schema: schemaReference(file) }, [
    `wrote ${file}: client ${clientId}, SMS printed on the server's console`,
    `client_secret: ${secret}   (printed this once; it is in the file)`,
    `next: ${invoked()} config check --file ${file}`,
    `      FLOWGATE_CONFIG=${file} FLOWGATE_ISSUER=${issuer} npm start`,
  ].join('\n'));
  return 0;
};

export const check: Handler = async (values, ctx) => {
  const file = (values.file as string | undefined) ?? (process.env.FLOWGATE_CONFIG || undefined);
  const { problems, where, summary } = await checkSetup(file, process.env);
  if (ctx.json) {
    print(ctx, { ok: problems.length === 0, problems, ...(summary ? { summary } : {}) }, '');
    return problems.length ? 1 : 0;
  }
  if (problems.length) {
    process.stderr.write(`${problems.join('\n')}\nflowgate: ${problemsSummary({ problems, where })}\n`);
    return 1;
  }
  const s = summary!;
  print(ctx, s, `ok: ${s.file}: ${s.clients} client${s.clients === 1 ? '' : 's'}${s.clients ? '' : ' (the demo client serves)'}, `
    + `SMS via ${s.connectors.join(' → ')}, ${s.flows.length} flows (sign-in: ${s.signInFlow})`);
  return 0;
};
