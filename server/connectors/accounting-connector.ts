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

/**
 * The connection cannot be used until someone reconnects it. The posting waits (retryable, with a
 * long delay) and the wait does not count towards the attempts that dead-letter a row: nothing is
 * lost while an organisation is disconnected.
 */
export class ConnectionWaitError extends PushError {
  static readonly WAIT_MS = 15 * 60_000;
  constructor(message: string, retryAfterMs = ConnectionWaitError.WAIT_MS) {
    super(message, true, retryAfterMs);
  }
}
