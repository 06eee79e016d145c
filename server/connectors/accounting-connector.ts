import { JournalView } from '../services/stock/types';

export type PushResult = { externalId: string };

/** What the outbox worker needs from an accounting system. Xero and QuickBooks arrive later. */
export interface AccountingConnector {
  readonly name: string;
  /** Must be idempotent on journal.id: a retry after a timeout must not post twice. */
  pushJournal(tenantId: string, journal: JournalView & { sourceUrl: string }): Promise<PushResult>;
}

/** Thrown by a connector; retryable errors go back to the queue with backoff. */
export class PushError extends Error {
  constructor(message: string, readonly retryable: boolean, readonly retryAfterMs?: number) {
    super(message);
  }
}
