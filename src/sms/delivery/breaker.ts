// A circuit breaker per connector: after `threshold` failures in a row it opens for `cooldownMs`;
// then one trial request decides whether it closes again.
export interface Breaker {
  allows(now: number): boolean;
  success(): void;
  failure(now: number): void;
  readonly state: 'closed' | 'open' | 'half-open';
}

export function createBreaker(threshold: number, cooldownMs: number): Breaker {
  let failures = 0;
  let openedAt: number | null = null;
  let trial = false;
  return {
    get state() { return openedAt === null ? 'closed' : trial ? 'half-open' : 'open'; },
    allows(now) {
      if (openedAt === null) return true;
      if (!trial && now - openedAt >= cooldownMs) { trial = true; return true; }
      return false;
    },
    success() { failures = 0; openedAt = null; trial = false; },
    failure(now) {
      failures += 1;
      if (trial || failures >= threshold) { openedAt = now; trial = false; }
    },
  };
}
