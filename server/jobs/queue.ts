import { Db } from '../db';
import { Logger } from '../logger';
import { onRing, Queue } from './bell';
import { LockDateRefusal, PushError, WaitError } from '../connectors/accounting-connector';

/**
 * The work queues (the journal outbox, the webhook inbox) share one shape: rows with a status,
 * an attempt count and a next_attempt_at. A row is claimed with FOR UPDATE SKIP LOCKED in a short
 * transaction that only leases it (next attempt a minute away, attempt counted), so any number of
 * workers can run at once and a crash mid-call leaves the row to be retried; the work itself runs
 * outside any transaction, as it calls another system.
 */
export async function claimDue(db: Db, table: 'outbox' | 'webhook_events', extra: Record<string, unknown> = {}): Promise<Record<string, any> | undefined> {
  return db.transaction(async (trx) => {
    const row = await trx(table).whereIn('status', ['pending', 'failed']).where('next_attempt_at', '<=', trx.fn.now())
      .orderBy('next_attempt_at').forUpdate().skipLocked().first();
    if (!row) return undefined;
    const [leased] = await trx(table).where({ id: row.id })
      .update({ next_attempt_at: trx.raw("now() + interval '1 minute'"), attempts: row.attempts + 1, ...extra }).returning('*');
    return leased;
  });
}

/** A moment `ms` from now, in the database's clock (the one next_attempt_at is compared with). */
export const msFromNow = (db: Db, ms: number) => db.raw(`now() + (? || ' milliseconds')::interval`, [String(ms)]);

/**
 * Poll a queue in the web process; stop() waits for the current round to finish. With `wakeOn`,
 * a ring of the bell starts a round at once (or right after the one running).
 */
export function startPolling(name: string, drain: () => Promise<unknown>, opts: { log?: Logger; intervalMs?: number; wakeOn?: Queue }) {
  let stopped = false;
  let busy = false;
  let again = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    timer = undefined;
    if (stopped) return;
    busy = true;
    again = false;
    running = drain().catch((err) => opts.log?.error({ err, event: `${name}.worker_error` }, `${name} worker error`));
    // A round that did some work may have left more (a backlog): go again at once.
    if (Number(await running) > 0) again = true;
    busy = false;
    if (!stopped) timer = setTimeout(tick, again ? 0 : opts.intervalMs ?? 1000);
  };
  const wake = () => {
    if (stopped) return;
    if (busy) { again = true; return; }
    clearTimeout(timer);
    timer = setTimeout(tick, 0);
  };
  const unsubscribe = opts.wakeOn ? onRing(opts.wakeOn, wake) : () => undefined;
  timer = setTimeout(tick, 10);
  return {
    async stop() {
      stopped = true;
      unsubscribe();
      clearTimeout(timer);
      await running;
    },
  };
}

export type RetryPolicy = { maxAttempts: number; backoffMs: (attempt: number) => number };

/**
 * What a failed attempt does to a queue row (a posting, a webhook event): a WaitError (reconnect,
 * rate limit, an outage) waits as long as it says without using up an attempt; a refusal (not
 * retryable) is final, except a lock date refusal, which goes again at once re-dated; anything
 * else is retried with backoff until the attempts run out.
 */
export function afterFailure(err: unknown, attempts: number, policy: RetryPolicy, o: { countWait?: boolean } = {}) {
  // countWait: the caller knows this wait is not the outside world's (see the outbox worker).
  const waiting = err instanceof WaitError && !o.countWait;
  // Certainly not created: a retry may go under a new key, with a new body.
  const notCreated = err instanceof PushError && !err.retryable;
  // A lock date refusal goes again at once, re-dated; it still counts, so it cannot loop forever.
  const redate = err instanceof LockDateRefusal;
  const refused = notCreated && !redate;
  const dead = !waiting && (refused || attempts >= policy.maxAttempts);
  return {
    status: dead ? ('dead' as const) : ('failed' as const),
    attempts: waiting ? attempts - 1 : attempts,
    waitMs: redate ? 0 : err instanceof PushError && err.retryAfterMs ? err.retryAfterMs : policy.backoffMs(attempts),
    refused,
    notCreated,
    message: String((err as Error)?.message ?? err).slice(0, 2000),
  };
}
