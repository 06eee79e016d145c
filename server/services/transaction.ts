import { Db, Trx } from '../db';
import { queuedJournalIn, ring } from '../jobs/bell';

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock

export class RetryTransaction extends Error {}

/**
 * Run one use case in one transaction, retried when PostgreSQL reports a serialization failure
 * or deadlock, or when the use case asks for it (a lost race for an idempotency key).
 */
export async function inTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    let used: Trx | undefined;
    try {
      const result = await db.transaction((trx) => fn((used = trx)));
      // Committed: journals it queued can go to the accounting system now.
      if (queuedJournalIn(used)) ring('outbox');
      return result;
    } catch (err) {
      const code = (err as { code?: string }).code;
      const retry = err instanceof RetryTransaction || (code !== undefined && RETRYABLE.has(code));
      if (!retry || i >= attempts) throw err;
    }
  }
}
