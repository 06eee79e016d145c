import { Db, Trx } from '../db';
import { journalsToSend, requeuePosting } from '../repos/journal-sends';
import { recordAttemptAnswer } from './send-record';
import { ConnectorRegistry } from '../connectors/registry';
import { OutgoingJournal, PushResult, UnavailableWait } from '../connectors/accounting-connector';
import { Logger } from '../logger';
import { afterFailure, msFromNow, startPolling } from './queue';
import { claimOutboxBatch, OutboxBatch } from './outbox-claim';
import { DispatchOptions, outboxDispatcher } from './outbox-dispatch';
import { noteAnswered, noteUnavailable } from './posting-gate';
import { ring } from './bell';

const MAX_ATTEMPTS = 10;
const backoffMs = (attempt: number) => Math.min(60 * 60_000, 2 ** attempt * 1000);

/**
 * Drains due outbox rows. Rows are claimed with FOR UPDATE SKIP LOCKED inside a short
 * transaction that only leases them (outbox-claim.ts), so any number of workers can run at once
 * and a crash mid-call leaves them to be retried under the same Idempotency-Key. A connector that
 * takes several journals per call gets them together; the offline one gets them one by one.
 */
export async function drainOutbox(db: Db, registry: ConnectorRegistry, opts: DrainOptions): Promise<number> {
  const d = dispatcher(db, registry, opts);
  let done = 0;
  for (let started = -1; started !== 0 && done < (opts.batch ?? 50);) {
    started = await d.round((opts.batch ?? 50) - done);
    await d.idle();
    done += started;
  }
  return done;
}

/**
 * `gatherMs`: after a call that was not full, an organisation's next call waits this long
 * (posting-gate.ts); 0 in a drain called directly, GATHER_MS in the worker.
 */
type DrainOptions = { publicUrl: string; log?: Logger; batch?: number; journalsPerCall?: number; gatherMs?: number };

/**
 * Journals arriving faster than one every GATHER_MS go together: a goods-in burst of 100
 * receipts in 30 s takes under 10 calls instead of 100 (Xero allows 60 a minute, and 1,000 a day
 * on the Starter tier), and none waits more than about GATHER_MS for its call.
 */
export const GATHER_MS = 4000;

function dispatcher(db: Db, registry: ConnectorRegistry, opts: DrainOptions, events: DispatchOptions = {}) {
  const claim = (skipTenants: string[]) => claimOutboxBatch(db, opts.journalsPerCall, { gatherMs: opts.gatherMs, skipTenants });
  const onError = (err: unknown) => opts.log?.error({ err, event: 'outbox.deliver_error' }, 'recording a posting failed');
  return outboxDispatcher(claim, (batch) => deliver(db, registry, batch, opts), { onError, ...events });
}

async function deliver(db: Db, registry: ConnectorRegistry, batch: OutboxBatch, opts: { publicUrl: string; log?: Logger }): Promise<void> {
  let connectorName: string | null = null;
  let outcomes: Array<PushResult | Error>;
  try {
    // Inside the try: a connector that cannot be built (no token, bad config) is a failed attempt too.
    const conn = await registry.forTenant(batch.tenantId);
    connectorName = conn.name;
    const journals = await outgoing(db, batch, opts.publicUrl, conn.name);
    const resend = batch.rows.some((r) => r.send_date);
    if (conn.sendDate) await keepSendDates(db, batch, journals, conn.sendDate);
    outcomes = conn.pushJournals
      ? await conn.pushJournals(batch.tenantId, journals, batch.sendKey, { resend })
      : await Promise.all(journals.map((j) => conn.pushJournal(batch.tenantId, j).catch((err: Error) => err)));
  } catch (err) {
    outcomes = batch.rows.map(() => err as Error);
  }
  // All of a call's outcomes together: a crash cannot leave some of its journals done and the
  // rest to be resent alone under a key whose answer lists them all.
  await db.transaction(async (trx) => {
    // No answer at all: the organisation's journals wait for Xero (one probe at a time); any answer ends that.
    const down = outcomes.find((o): o is UnavailableWait => o instanceof UnavailableWait);
    const outage = down ? await noteUnavailable(trx, batch.tenantId, down.message) : (await noteAnswered(trx, batch.tenantId), undefined);
    for (const [i, row] of batch.rows.entries()) {
      const outcome = outcomes[i];
      await recordAttemptAnswer(trx, batch.tenantId, row.journal_id, batch.sendKey, outcome);
      if (outcome instanceof Error) await recordFailure(trx, row, outcome, connectorName, opts.log, outcome instanceof UnavailableWait ? outage : undefined);
      else await trx('outbox').where({ tenant_id: row.tenant_id, id: row.id }).whereNot('status', 'done')
        .update({ status: 'done', external_id: outcome.externalId, connector: connectorName, last_error: null, unanswered: 0, updated_at: trx.fn.now() });
    }
  });
}

/** The call's journals on the accounts mapped now (or as first sent under this key), each attempt recorded first. */
async function outgoing(db: Db, batch: OutboxBatch, publicUrl: string, connector: string): Promise<OutgoingJournal[]> {
  const sent = await journalsToSend(db, batch.tenantId, batch.rows.map((r) => r.journal_id), batch.sendKey, connector);
  return sent.map(({ sourcePath, ...j }, i) => ({ ...j, sourceUrl: `${publicUrl}${sourcePath}`, sendDate: batch.rows[i].send_date ?? undefined }));
}

/** Before the first send under a key, the date each journal goes as is kept: a resend must not differ. */
async function keepSendDates(db: Db, batch: OutboxBatch, journals: OutgoingJournal[], sendDate: (j: OutgoingJournal) => string): Promise<void> {
  const fresh = journals.flatMap((j, i) => (j.sendDate ? [] : [{ j, row: batch.rows[i] }]));
  if (!fresh.length) return;
  await db.transaction(async (trx) => {
    for (const { j, row } of fresh) {
      j.sendDate = sendDate(j);
      await trx('outbox').where({ tenant_id: row.tenant_id, id: row.id }).update({ send_date: j.sendDate });
    }
  });
}

/**
 * `outage` is set when the call got no answer at all. That is a wait, not an attempt, unless this
 * call had gone unanswered before and the organisation's calls were answered since: then the
 * trouble is this call (a body Xero always fails on, a call that always times out), and waiting
 * for it without end would spend the day's call allowance; it uses an attempt and can go dead.
 */
async function recordFailure(q: Trx, row: Record<string, any>, err: Error, connectorName: string | null, log?: Logger,
  outage?: { waitMs: number; ongoing: boolean }): Promise<void> {
  const countWait = !!outage && !outage.ongoing && Number(row.unanswered) > 0;
  const f = afterFailure(err, row.attempts, { maxAttempts: MAX_ATTEMPTS, backoffMs }, { countWait });
  // Only the attempt this worker claimed, and never over a posting another worker finished.
  await q('outbox').where({ tenant_id: row.tenant_id, id: row.id, attempts: row.attempts }).whereNot('status', 'done').update({
    status: f.status,
    attempts: f.attempts,
    // Refused outright, the journal was not created: a retry may send it under a new key, with others.
    ...(f.notCreated ? { send_key: null, send_date: null } : {}),
    last_error: f.message,
    connector: connectorName,
    unanswered: outage ? Number(row.unanswered) + 1 : 0,
    next_attempt_at: msFromNow(q, outage?.waitMs ?? f.waitMs),
    updated_at: q.fn.now(),
  });
  log?.warn({ event: 'outbox.failed', outboxId: row.id, attempts: row.attempts, dead: f.status === 'dead' }, 'journal posting failed');
}

/**
 * The worker: rounds start calls without waiting for their answers (outbox-dispatch.ts); an
 * answer, or a gate opening, starts the next round at once.
 */
export function startOutboxWorker(db: Db, registry: ConnectorRegistry, opts: { publicUrl: string; log?: Logger; intervalMs?: number; gatherMs?: number }) {
  const timers = new Set<NodeJS.Timeout>();
  const wakeAt = (until: Date) => {
    const t = setTimeout(() => { timers.delete(t); ring('outbox'); }, Math.max(0, until.getTime() - Date.now()) + 20);
    timers.add(t);
  };
  const d = dispatcher(db, registry, { gatherMs: GATHER_MS, ...opts }, { onSettled: () => ring('outbox'), onHeld: wakeAt });
  const polling = startPolling('outbox', () => d.round(), { ...opts, wakeOn: 'outbox' });
  return {
    async stop() {
      await polling.stop();
      for (const t of timers) clearTimeout(t);
      await d.idle();
    },
  };
}

/**
 * A person's "Retry" on a journal whose posting failed or was dead-lettered (say, after fixing
 * the account Xero refused): due now, with a fresh set of attempts. A posted journal is left alone.
 */
export async function retryPosting(db: Db, tenantId: string, journalId: string): Promise<boolean> {
  return requeuePosting(db, tenantId, journalId);
}
