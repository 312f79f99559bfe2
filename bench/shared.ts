// What the load client and both benchmarked servers agree on: the one client and the scope.
// Kept free of flowgate imports so the bare provider's process loads nothing of flowgate.

export const BENCH_CLIENT = {
  client_id: 'bench-app',
  client_secret: 'bench-secret-0123456789abcdef',
  redirect_uris: ['https://app.example.com/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
};

/** Requested by every login; both servers release phone_number in the ID token for it. */
export const BENCH_SCOPE = 'openid phone';

/** Fictional numbers (555-01xx is reserved for fiction): +12025550100 … +12025550199. */
export const BENCH_PHONES: readonly string[] = Array.from({ length: 100 }, (_, i) => `+120255501${String(i).padStart(2, '0')}`);
