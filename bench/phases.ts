// BENCH_ONLY: which phases of `npm run bench` run (a comma list; unset or empty: all of them).
//   cold-start  spawn of the compiled server to its first answered discovery request (bench/cold-start.ts)
//   rss         the compiled server's RSS after 1,000 SMS logins
//   logins      the rest: flowgate vs bare oidc-provider (the ratio), password, guard, live flows,
//               Post/Redirect/Get, topologies, code page
export const PHASES = ['cold-start', 'rss', 'logins'] as const;
export type Phase = (typeof PHASES)[number];

export function selectedPhases(raw: string | undefined): Set<Phase> {
  const names = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!names.length) return new Set(PHASES);
  const unknown = names.filter((n) => !(PHASES as readonly string[]).includes(n));
  if (unknown.length) {
    process.stderr.write(`bench: BENCH_ONLY: unknown phase(s) ${unknown.join(', ')}; the phases are ${PHASES.join(', ')}\n`);
    process.exit(2);
  }
  return new Set(names as Phase[]);
}
