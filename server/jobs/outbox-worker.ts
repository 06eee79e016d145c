import { Db } from '../db';
import { journalView } from '../repos/journals';
import { ConnectorRegistry } from '../connectors/registry';
import { ConnectionWaitError, PushError } from '../connectors/accounting-connector';
import { Logger } from '../logger';
import { msFromNow, startPolling } from './queue';
import { claimOutboxBatch, OutboxBatch } from './outbox-claim';

const MAX_ATTEMPTS = 10;
const backoffMs = (attempt: number) => Math.min(60 * 60_000, 2 ** attempt * 1000);

/**
 * Drains due outbox rows. Rows are claimed with FOR UPDATE SKIP LOCKED inside a short
 * transaction that only leases them (outbox-claim.ts), so any number of workers can run at once
 * and a crash mid-call leaves them to be retried under the same Idempotency-Key. A connector that
 * takes several journals per call gets them together; the offline one gets them one by one.
 */
export async function drainOutbox(db: Db, registry: ConnectorRegistry, opts: { publicUrl: string; log?: Logger; batch?: number; journalsPerCall?: number }): Promise<number> {
  let done = 0;
  while (done < (opts.batch ?? 50)) {
    const batch = await claimOutboxBatch(db, opts.journalsPerCall);
    if (!batch || batch === 'busy') break;
    await deliver(db, registry, batch, opts);
    done += batch.rows.length;
  }
  return done;
}

async function deliver(db: Db, registry: ConnectorRegistry, batch: OutboxBatch, opts: { publicUrl: string; log?: Logger }): Promise<void> {
  let connectorName: string | null = null;
  try {
    // Inside the try: a connector that cannot be built (no token, bad config) is a failed attempt too.
    const conn = await registry.forTenant(batch.tenantId);
    connectorName = conn.name;
    const journals = await Promise.all(batch.rows.map(async (row) => {
      const j = await db('journals').where({ tenant_id: row.tenant_id, id: row.journal_id }).first();
      return { ...(await journalView(db, row.tenant_id, j)), sourceUrl: `${opts.publicUrl}${j.source_path}` };
    }));
    const outcomes = conn.pushJournals
      ? await conn.pushJournals(batch.tenantId, journals, batch.sendKey)
      : await Promise.all(journals.map((j) => conn.pushJournal(batch.tenantId, j).catch((err: Error) => err)));
    for (const [i, row] of batch.rows.entries()) {
      const outcome = outcomes[i];
      if (outcome instanceof Error) await recordFailure(db, row, outcome, connectorName, opts.log);
      else await db('outbox').where({ tenant_id: row.tenant_id, id: row.id }).update({ status: 'done', external_id: outcome.externalId, connector: conn.name, last_error: null, updated_at: db.fn.now() });
    }
  } catch (err) {
    for (const row of batch.rows) await recordFailure(db, row, err as Error, connectorName, opts.log);
  }
}

async function recordFailure(db: Db, row: Record<string, any>, err: Error, connectorName: string | null, log?: Logger): Promise<void> {
  // Waiting for a person to reconnect is not a failed attempt: it must not lead to dead-letter.
  const waiting = err instanceof ConnectionWaitError;
  const retryable = !(err instanceof PushError) || err.retryable;
  const dead = !waiting && (!retryable || row.attempts >= MAX_ATTEMPTS);
  const wait = err instanceof PushError && err.retryAfterMs ? err.retryAfterMs : backoffMs(row.attempts);
  await db('outbox').where({ tenant_id: row.tenant_id, id: row.id }).update({
    status: dead ? 'dead' : 'failed',
    ...(waiting ? { attempts: row.attempts - 1 } : {}),
    // Refused outright, the journal was not created: a retry may send it under a new key, with others.
    ...(!retryable ? { send_key: null } : {}),
    last_error: String(err.message).slice(0, 2000),
    connector: connectorName,
    next_attempt_at: msFromNow(db, wait),
    updated_at: db.fn.now(),
  });
  log?.warn({ event: 'outbox.failed', outboxId: row.id, attempts: row.attempts, dead }, 'journal posting failed');
}

export function startOutboxWorker(db: Db, registry: ConnectorRegistry, opts: { publicUrl: string; log?: Logger; intervalMs?: number }) {
  return startPolling('outbox', () => drainOutbox(db, registry, opts), { ...opts, wakeOn: 'outbox' });
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
