/**
 * How long a key (an account, a client address) waits after its counted attempts. The first
 * `free` attempts cost nothing; each one after that doubles the wait, from `firstWaitMs` up to
 * `maxWaitMs`. The count is forgotten `forgetMs` after the last counted attempt.
 */
export type LimitPolicy = { free: number; firstWaitMs: number; maxWaitMs: number; forgetMs: number };

/**
 * Failed sign-ins for one email. Capped at a minute: anybody may type a wrong password for
 * someone else's email, so this is all a stranger can make its owner wait.
 */
export const ACCOUNT_FAILURES: LimitPolicy = {
  free: 5, firstWaitMs: 1_000, maxWaitMs: 60_000, forgetMs: 15 * 60_000,
};

/** Failed sign-ins from one client address (any email): slows guessing across accounts. */
export const ADDRESS_FAILURES: LimitPolicy = {
  free: 20, firstWaitMs: 60_000, maxWaitMs: 10 * 60_000, forgetMs: 10 * 60_000,
};

/** Sign-ups (each creates an organisation) from one client address, whether or not they succeed. */
export const ADDRESS_SIGN_UPS: LimitPolicy = {
  free: 20, firstWaitMs: 10 * 60_000, maxWaitMs: 60 * 60_000, forgetMs: 60 * 60_000,
};

/** The wait after the `attempts`-th counted attempt: 0 while attempts are free. */
export function waitAfter(attempts: number, p: LimitPolicy): number {
  if (attempts < p.free) return 0;
  // Capped before doubling: 2 ** a large count is Infinity, never a wrong number.
  const doublings = Math.min(attempts - p.free, 32);
  return Math.min(p.firstWaitMs * 2 ** doublings, p.maxWaitMs);
}

/** "45 seconds", "1 minute", "10 minutes": a wait in whole units, rounded up, in people's words. */
export function waitInWords(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
