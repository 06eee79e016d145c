import { Db } from '../db';
import { journalView } from '../repos/journals';
import { ConnectorRegistry } from '../connectors/registry';
import { ConnectionWaitError, PushError } from '../connectors/accounting-connector';
import { Logger } from '../logger';
import { claimDue, msFromNow, startPolling } from './queue';

const MAX_ATTEMPTS = 10;
const backoffMs = (attempt: number) => Math.min(60 * 60_000, 2 ** attempt * 1000);

/**
 * Drains due outbox rows. Each row is claimed with FOR UPDATE SKIP LOCKED inside a short
 * transaction that only bumps its attempt time, so any number of workers can run at once and a
 * crash mid-call leaves the row to be retried (the connector is idempotent on the journal id).
 */
export async function drainOutbox(db: Db, registry: ConnectorRegistry, opts: { publicUrl: string; log?: Logger; batch?: number }): Promise<number> {
  let done = 0;
  for (let i = 0; i < (opts.batch ?? 50); i++) {
    const row = await claimDue(db, 'outbox', { updated_at: db.fn.now() });
    if (!row) break;
    await deliver(db, registry, row, opts);
    done++;
  }
  return done;
}

async function deliver(db: Db, registry: ConnectorRegistry, row: Record<string, any>, opts: { publicUrl: string; log?: Logger }): Promise<void> {
  let connectorName: string | null = null;
  try {
    // Inside the try: a connector that cannot be built (no token, bad config) is a failed attempt too.
    const conn = await registry.forTenant(row.tenant_id);
    connectorName = conn.name;
    const j = await db('journals').where({ tenant_id: row.tenant_id, id: row.journal_id }).first();
    const journal = await journalView(db, row.tenant_id, j);
    const result = await conn.pushJournal(row.tenant_id, { ...journal, sourceUrl: `${opts.publicUrl}${j.source_path}` });
    await db('outbox').where({ tenant_id: row.tenant_id, id: row.id }).update({ status: 'done', external_id: result.externalId, connector: conn.name, last_error: null, updated_at: db.fn.now() });
  } catch (err) {
    // Waiting for a person to reconnect is not a failed attempt: it must not lead to dead-letter.
    const waiting = err instanceof ConnectionWaitError;
    const retryable = !(err instanceof PushError) || err.retryable;
    const dead = !waiting && (!retryable || row.attempts >= MAX_ATTEMPTS);
    const wait = err instanceof PushError && err.retryAfterMs ? err.retryAfterMs : backoffMs(row.attempts);
    await db('outbox').where({ tenant_id: row.tenant_id, id: row.id }).update({
      status: dead ? 'dead' : 'failed',
      ...(waiting ? { attempts: row.attempts - 1 } : {}),
      last_error: String((err as Error).message).slice(0, 2000),
      connector: connectorName,
      next_attempt_at: msFromNow(db, wait),
      updated_at: db.fn.now(),
    });
    opts.log?.warn({ event: 'outbox.failed', outboxId: row.id, attempts: row.attempts, dead }, 'journal posting failed');
  }
}

export function startOutboxWorker(db: Db, registry: ConnectorRegistry, opts: { publicUrl: string; log?: Logger; intervalMs?: number }) {
  return startPolling('outbox', () => drainOutbox(db, registry, opts), opts);
}

/**
 * A person's "Retry" on a journal whose posting failed or was dead-lettered (say, after fixing
 * the account Xero refused): due now, with a fresh set of attempts. A posted journal is left alone.
 */
export async function retryPosting(db: Db, tenantId: string, journalId: string): Promise<boolean> {
  const n = await db('outbox').where({ tenant_id: tenantId, journal_id: journalId, topic: 'journal.post' }).whereIn('status', ['failed', 'dead'])
    .update({ status: 'pending', attempts: 0, next_attempt_at: db.fn.now(), updated_at: db.fn.now() });
  return n > 0;
}
