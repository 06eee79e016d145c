import { Db, Trx } from '../db';

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock

export class RetryTransaction extends Error {}

/**
 * Run one use case in one transaction, retried when PostgreSQL reports a serialization failure
 * or deadlock, or when the use case asks for it (a lost race for an idempotency key).
 */
export async function inTransaction<T>(db: Db, fn: (trx: Trx) => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await db.transaction(fn);
    } catch (err) {
      const code = (err as { code?: string }).code;
      const retry = err instanceof RetryTransaction || (code !== undefined && RETRYABLE.has(code));
      if (!retry || i >= attempts) throw err;
    }
  }
}
