import { EventEmitter } from 'node:events';

/**
 * An in-process wake-up for the workers: a transaction that queued journals, or a webhook
 * delivery just stored, rings the bell and this process's worker runs at once instead of at its
 * next poll. Polling stays, for other processes' work and for retries that fall due.
 */
export type Queue = 'outbox' | 'webhooks';
const bell = new EventEmitter();
bell.setMaxListeners(0);

export function ring(queue: Queue): void {
  bell.emit(queue);
}

export function onRing(queue: Queue, listener: () => void): () => void {
  bell.on(queue, listener);
  return () => bell.off(queue, listener);
}

/** Transactions that queued journals; inTransaction rings for them after commit. */
const queuedJournals = new WeakSet<object>();
export const markJournalQueued = (trx: object) => queuedJournals.add(trx);
export const queuedJournalIn = (trx: object | undefined) => !!trx && queuedJournals.has(trx);
