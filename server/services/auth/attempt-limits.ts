import { Db } from '../../db';
import { TooManyRequests } from '../../errors';
import { LimitPolicy, waitAfter, waitInWords } from '../../domain/auth/attempt-limits';

/**
 * One counter of attempts: its key in attempt_limits ('account:<email>', 'ip:<address>'), its
 * policy, and what it counts in people's words ("failed sign-ins for this email").
 * Kept in the database so every web process counts the same attempts.
 */
export type AttemptCounter = { key: string; policy: LimitPolicy; counts: string };

/** 429 while any of the counters is waiting, naming the longest wait; nothing is counted. */
export async function refuseWhileWaiting(db: Db, counters: AttemptCounter[], now: Date): Promise<void> {
  const waiting = await db('attempt_limits')
    .whereIn('key', counters.map((c) => c.key))
    .where('blocked_until', '>', now)
    .where('expires_at', '>', now)
    .orderBy('blocked_until', 'desc')
    .first('key', 'blocked_until');
  if (!waiting) return;
  const waitMs = new Date(waiting.blocked_until).getTime() - now.getTime();
  const counter = counters.find((c) => c.key === waiting.key)!;
  const message = `Too many ${counter.counts}; wait ${waitInWords(waitMs)} and try again`;
  throw new TooManyRequests(message, Math.ceil(waitMs / 1000));
}

/**
 * Counts one attempt (a count past its expiry starts again) and starts the wait its policy asks
 * for. Returns the count, this attempt included.
 */
export async function countAttempt(db: Db, counter: AttemptCounter, now: Date): Promise<number> {
  const expires = new Date(now.getTime() + counter.policy.forgetMs);
  const stale = (column: string, fresh: string) =>
    db.raw(`case when attempt_limits.expires_at <= ? then ${fresh} else ${column} end`, [now]);
  const [row] = await db('attempt_limits')
    .insert({ key: counter.key, attempts: 1, expires_at: expires })
    .onConflict('key')
    .merge({
      attempts: stale('attempt_limits.attempts + 1', '1'),
      blocked_until: stale('attempt_limits.blocked_until', 'null'),
      expires_at: expires,
    })
    .returning('attempts');
  const waitMs = waitAfter(row.attempts, counter.policy);
  if (waitMs > 0) {
    // Concurrent attempts may finish in any order: the longer wait wins.
    const until = new Date(now.getTime() + waitMs);
    await db('attempt_limits').where({ key: counter.key })
      .update({ blocked_until: db.raw('greatest(coalesce(blocked_until, ?), ?)', [until, until]) });
  }
  await db('attempt_limits').where('expires_at', '<=', now).delete();
  return Number(row.attempts);
}

/**
 * refuseWhileWaiting and countAttempt as one step, under a lock on the counter's key: attempts sent
 * all at once queue here, and each sees the wait its predecessor's count started, so no more
 * than the free allowance get past while the first ones are still being checked.
 */
export async function countUnlessWaiting(db: Db, counter: AttemptCounter, now: Date): Promise<void> {
  await db.transaction(async (trx) => {
    // A lock on the key itself: its row may not exist yet.
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`attempt_limits:${counter.key}`]);
    await refuseWhileWaiting(trx, [counter], now);
    await countAttempt(trx, counter, now);
  });
}

/** Forgets a counter's attempts (an account after its owner signs in). */
export async function forgetAttempts(db: Db, counter: AttemptCounter): Promise<void> {
  await db('attempt_limits').where({ key: counter.key }).delete();
}
