import { Db } from '../../db';
import { Unauthorised } from '../../errors';
import { ACCOUNT_FAILURES, ADDRESS_FAILURES, ADDRESS_SIGN_UPS } from '../../domain/auth/attempt-limits';
import { AttemptCounter, countAttempt, countUnlessWaiting, forgetAttempts, refuseWhileWaiting } from './attempt-limits';
import { verifyPassword } from './passwords';
import { SessionUser } from './accounts';

// Verified against when the email matches nobody, so timing does not reveal who has an account.
const NOBODY_HASH = 'scrypt$32768$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export type SignInAttempt = { email: string; password: string; address: string; now: Date };

/**
 * Password sign-in. Only failures count, per email and per client address: an office behind one
 * address never locks itself out by signing in, and a stranger's wrong passwords make the account
 * wait at most ACCOUNT_FAILURES.maxWaitMs (their own address waits longer). While a wait runs the
 * password is not even checked, so a right guess then teaches nothing.
 */
export async function signIn(db: Db, a: SignInAttempt): Promise<SessionUser> {
  const account: AttemptCounter = {
    key: `account:${a.email.trim().toLowerCase()}`, policy: ACCOUNT_FAILURES, counts: 'failed sign-ins for this email',
  };
  const address: AttemptCounter = {
    key: `ip:${a.address}`, policy: ADDRESS_FAILURES, counts: 'failed sign-ins from your network address',
  };
  await refuseWhileWaiting(db, [account, address], a.now);
  // The account's attempt is counted before its password is checked (and forgotten if it is
  // right): guesses sent all at once would otherwise all pass the check above before the first
  // failure was stored.
  await countUnlessWaiting(db, account, a.now);
  const user = await checkPassword(db, a.email, a.password);
  if (!user) {
    await countAttempt(db, address, a.now);
    throw new Unauthorised('Email or password is not right');
  }
  await forgetAttempts(db, account);
  return user;
}

async function checkPassword(db: Db, email: string, password: string): Promise<SessionUser | null> {
  const user = await db('users').whereRaw('lower(email) = lower(?)', [email.trim()]).whereNull('disabled_at').first();
  // Same work whether or not the user exists.
  const ok = await verifyPassword(password, user?.password_hash ?? NOBODY_HASH);
  if (!user || !ok) return null;
  return { tenantId: user.tenant_id, userId: user.id, role: user.role, name: user.name, email: user.email };
}

/** Sign-ups from one address are counted whether or not they succeed: each may create an organisation. */
export async function countSignUp(db: Db, address: string, now: Date): Promise<void> {
  const counter: AttemptCounter = {
    key: `sign-up-ip:${address}`, policy: ADDRESS_SIGN_UPS, counts: 'sign-ups from your network address',
  };
  await refuseWhileWaiting(db, [counter], now);
  await countAttempt(db, counter, now);
}
