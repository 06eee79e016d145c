import { JournalView } from '../services/stock/types';

export type PushResult = { externalId: string };
/**
 * `sendDate`: the date the journal was first prepared for sending under its key (it may differ
 * from the journal's own date when a period is locked). A resend under the same key must carry
 * the same body, so the date is kept, not worked out again.
 */
export type OutgoingJournal = JournalView & { sourceUrl: string; sendDate?: string };

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
  pushJournals?(tenantId: string, journals: OutgoingJournal[], sendKey: string, opts?: { resend?: boolean }): Promise<Array<PushResult | PushError>>;
  /** The date a journal is sent as (after any lock date): kept with it before the first send. */
  sendDate?(journal: OutgoingJournal): string;
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
 * Not a failure of the work but a reason to wait: it is tried again after `retryAfterMs`, and the
 * wait does not count towards the attempts that dead-letter a posting or a webhook event.
 */
export class WaitError extends PushError {
  constructor(message: string, retryAfterMs: number) {
    super(message, true, retryAfterMs);
  }
}

/**
 * The connection cannot be used until someone reconnects it: nothing is lost while an
 * organisation is disconnected, however long that lasts.
 */
export class ConnectionWaitError extends WaitError {
  static readonly WAIT_MS = 15 * 60_000;
  constructor(message: string, retryAfterMs = ConnectionWaitError.WAIT_MS) {
    super(message, retryAfterMs);
  }
}

/** The accounting system's rate limit (a 429, or its headers saying the allowance is spent). */
export class RateLimitWait extends WaitError {}

/**
 * The accounting system did not answer (a 5xx, a dropped connection, no answer in time): an
 * outage, however long, is waited out and never uses up attempts. For journals the outbox then
 * sends one call at a time for the whole organisation (a probe) until it answers again.
 */
export class UnavailableWait extends WaitError {
  static readonly WAIT_MS = 30_000;
  constructor(message: string) {
    super(message, UnavailableWait.WAIT_MS);
  }
}

/**
 * Refused because its date is inside a lock date set after we last read them: certainly not
 * created, and not a person's problem. The connector has read the lock dates again, so the
 * journal goes again at once, under a new key, re-dated to the first open day.
 */
export class LockDateRefusal extends PushError {
  constructor(message: string) {
    super(message, false);
  }
}
