import { Db, Trx, isDatabaseOutage } from '../db';
import { DatabaseUnavailable, OutcomeUnknown } from '../errors';
import { queuedJournalIn, ring } from '../jobs/bell';

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock

export class RetryTransaction extends Error {}

/**
 * Run one use case in one transaction, retried when PostgreSQL reports a serialization failure
 * or deadlock, or when the use case asks for it (a lost race for an idempotency key).
 * A lost database is a 503, never a 500: before the work finished nothing was saved; once it had
 * finished, the connection died around COMMIT, so whether it was saved cannot be known here.
 */
export async function inTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    let used: Trx | undefined;
    let workDone = false;
    try {
      const result = await db.transaction(async (trx) => {
        const out = await fn((used = trx));
        workDone = true;
        return out;
      });
      // Committed: journals it queued can go to the accounting system now.
      if (queuedJournalIn(used)) ring('outbox');
      return result;
    } catch (err) {
      if (isDatabaseOutage(err)) throw workDone ? new OutcomeUnknown() : new DatabaseUnavailable();
      const code = (err as { code?: string }).code;
      const retry = err instanceof RetryTransaction || (code !== undefined && RETRYABLE.has(code));
      if (!retry || i >= attempts) throw err;
    }
  }
}
