import { JournalView } from '../services/stock/types';

export type PushResult = { externalId: string };
export type OutgoingJournal = JournalView & { sourceUrl: string };

/** What the outbox worker needs from an accounting system. Xero and QuickBooks arrive later. */
export interface AccountingConnector {
  readonly name: string;
  /** Must be idempotent on journal.id: a retry after a timeout must not post twice. */
  pushJournal(tenantId: string, journal: OutgoingJournal): Promise<PushResult>;
  /**
   * Optional: several journals in one call, answered journal by journal in order (a PushError
   * for one the system refused). Idempotent on `sendKey`: the same key with the same journals must
   * not post them twice. Throws when the whole call failed (unavailable, rate limit, reconnect).
   */
  pushJournals?(tenantId: string, journals: OutgoingJournal[], sendKey: string): Promise<Array<PushResult | PushError>>;
}

/** Journals per call: Xero takes up to 50 documents per PUT comfortably within its 3.5 MB body limit. */
export const MAX_JOURNALS_PER_CALL = 50;

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
