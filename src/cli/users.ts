// The handlers of `flowgate users list|add|show|remove|unlock` and `flowgate admin grant|revoke`
// (options: src/cli/commands.ts): accounts, changed through src/accounts (what the admin API does), audited as `cli`.
import { createInterface } from 'node:readline/promises';
import { createAccounts, type Accounts } from '../accounts/index.ts';
import { userView } from '../admin/api/users.ts';
import type { Config } from '../config/schema.ts';
import { createGuard } from '../guard/index.ts';
import { createLogger } from '../log.ts';
import type { User } from '../store/types.ts';
import { invoked, UsageError, type Handler, type RunContext, type Values } from './args.ts';
import { ACTOR, CliError, iso, loadSetup, phoneArg, print, refusedDestination, table, withStore } from './context.ts';

/** Runs with the account library on the server's store (the guard for unlocks). */
async function withAccounts<T>(run: (accounts: Accounts, config: Config) => Promise<T>): Promise<T> {
  const { runtime, config } = loadSetup();
  return withStore(runtime, (store) => run(createAccounts({ store, guard: createGuard(store.guard, config.limits, createLogger('silent'), Date.now) }), config));
}

async function accountOf(accounts: Accounts, phone: string): Promise<User> {
  const user = await accounts.findByPhone(phone);
  if (!user) throw new CliError(`no account has the number ${phone} (add one with: ${invoked()} users add --phone ${phone})`);
  return user;
}

const userRows = (users: User[]) => table([
  ['id', 'phone', 'name', 'email', 'roles', 'state', 'created'],
  ...users.map((u) => [u.id, u.phone, u.name ?? '-', u.email ?? '-', u.roles.join(',') || '-', u.disabledAt === null ? 'active' : 'disabled', iso(u.createdAt)]),
]);

/** Whether the person at the terminal confirms; without a terminal, --yes is needed. */
async function confirmed(question: string, values: Values): Promise<boolean> {
  if (values.yes) return true;
  if (!process.stdin.isTTY) throw new UsageError('this deletes the account: add --yes to confirm (stdin is not a terminal, so it cannot ask)');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function setRole(which: 'grant' | 'revoke', values: Values, ctx: RunContext): Promise<number> {
  return withAccounts(async (accounts, config) => {
    const phone = phoneArg(values.phone as string, config);
    const user = await accountOf(accounts, phone);
    const done = which === 'grant' ? await accounts.grantRole(user.id, 'admin', { actor: ACTOR }) : await accounts.revokeRole(user.id, 'admin', { actor: ACTOR });
    if (done.kind === 'missing') throw new CliError(`the account with ${phone} was removed meanwhile`);
    const now = which === 'grant' ? 'is now an admin' : 'is no longer an admin';
    const already = which === 'grant' ? 'is an admin already' : 'was not an admin';
    print(ctx, { ...userView(done.user), changed: done.kind === 'changed' }, `${phone} ${done.kind === 'changed' ? now : already}`);
    return 0;
  });
}

export const list: Handler = async (values, ctx) => {
  const users = await withStore(loadSetup().runtime, (store) => store.users.search((values.search as string | undefined) ?? '', Number(values.limit ?? 50)));
  print(ctx, users.map(userView), () => (users.length ? userRows(users) : 'no accounts'));
  return 0;
};

export const add: Handler = (values, ctx) => withAccounts(async (accounts, config) => {
  const phone = phoneArg(values.phone as string, config);
  const refused = refusedDestination(phone, config);
  if (refused) throw new CliError(`${refused}: this account could never sign in, so it was not added`);
  const done = await accounts.create({ phone, phoneVerified: true, name: (values.name as string | undefined) ?? null, email: (values.email as string | undefined) ?? null }, { actor: ACTOR });
  if (done.kind === 'taken') throw new CliError(`a user with ${phone} exists already (id ${done.existing.id})`);
  print(ctx, userView(done.user), `created user ${done.user.id} with phone ${done.user.phone}`);
  return 0;
});

export const show: Handler = (values, ctx) => withAccounts(async (accounts, config) => {
  const v = userView(await accountOf(accounts, phoneArg(values.phone as string, config)));
  print(ctx, v, table(Object.entries(v).map(([k, x]) => [`${k}:`, k.endsWith('At') ? iso(x as number | null) : Array.isArray(x) ? x.join(', ') || '-' : String(x ?? '-')])));
  return 0;
});

export const remove: Handler = (values, ctx) => withAccounts(async (accounts, config) => {
  const phone = phoneArg(values.phone as string, config);
  const user = await accountOf(accounts, phone);
  if (!await confirmed(`Delete the account ${user.id} with ${phone}? Its sessions and tokens end.`, values)) throw new CliError('not deleted');
  const done = await accounts.remove(user.id, { actor: ACTOR });
  if (done.kind === 'missing') throw new CliError(`the account with ${phone} was removed meanwhile`);
  print(ctx, { id: user.id, phone, removed: true, revoked: done.revoked }, `removed user ${user.id} (${phone}); ${done.revoked} session(s) and token(s) ended`);
  return 0;
});

export const unlock: Handler = (values, ctx) => withAccounts(async (accounts, config) => {
  const phone = phoneArg(values.phone as string, config);
  const done = await accounts.unlock({ phone }, { actor: ACTOR });
  const cleared = done.kind === 'unlocked' ? done.cleared : 0;
  print(ctx, { phone, cleared }, cleared
    ? `unlocked ${phone}: failed attempts and the number's code counters cleared`
    : `${phone} was not locked (no failed attempts or codes recorded)`);
  return 0;
});

export const grant: Handler = (values, ctx) => setRole('grant', values, ctx);
export const revoke: Handler = (values, ctx) => setRole('revoke', values, ctx);
