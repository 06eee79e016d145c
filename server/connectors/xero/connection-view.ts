import { Db } from '../../db';

export type SyncProgress = { phase: string; done: number; total: number | null };
export type ConnectionWarning = { code: string; message: string; item?: string };

export type XeroConnectionView = {
  organisationName: string;
  status: 'connected' | 'needs_reconnect' | 'disconnected';
  problem: string | null;
  baseCurrency: string | null;
  periodLockDate: string | null;
  endOfYearLockDate: string | null;
  scopes: string[];
  connectedSince: Date;
  lastSyncAt: Date | null;
  syncStatus: 'idle' | 'running' | 'failed';
  syncProgress: SyncProgress | null;
  lastSyncError: string | null;
  warnings: ConnectionWarning[];
  /** `why`: why the waiting journals wait, in people's words (null when none wait). */
  journals: { waiting: number; failed: number; posted: number; why: string | null };
};

/** The connection page's facts: what is linked, whether it works, the last sync, and journals waiting. */
export async function xeroConnectionView(db: Db, tenantId: string): Promise<XeroConnectionView | null> {
  const r = await db('accounting_connections').where({ tenant_id: tenantId, provider: 'xero' }).first();
  if (!r) return null;
  // failed rows are retried by themselves (Xero unavailable, a rate limit, a reconnect); dead ones need a person.
  const counts = await db('outbox').where({ tenant_id: tenantId, topic: 'journal.post' })
    .select(db.raw("count(*) filter (where status in ('pending','failed')) as waiting, count(*) filter (where status = 'dead') as failed, count(*) filter (where status = 'done' and connector = 'xero') as posted"))
    .first();
  return {
    organisationName: r.organisation_name,
    status: r.status,
    problem: r.last_error ?? null,
    baseCurrency: r.base_currency ?? null,
    periodLockDate: r.period_lock_date ?? null,
    endOfYearLockDate: r.end_of_year_lock_date ?? null,
    scopes: String(r.scopes ?? '').split(' ').filter(Boolean),
    connectedSince: new Date(r.created_at),
    lastSyncAt: r.last_sync_at ? new Date(r.last_sync_at) : null,
    syncStatus: r.sync_status,
    syncProgress: r.sync_progress ?? null,
    lastSyncError: r.last_sync_error ?? null,
    warnings: r.warnings ?? [],
    journals: { waiting: Number(counts.waiting), failed: Number(counts.failed), posted: Number(counts.posted), why: await whyJournalsWait(db, tenantId, r.status, Number(counts.waiting)) },
  };
}

const hhmm = (d: Date) => `${new Date(d).toISOString().slice(11, 16)} UTC`;

/**
 * Why journals wait, for the connection page: the connection needs a person, Xero is not
 * answering (the outage the posting gate records), Xero's rate limit, or only the next call
 * (journals arriving close together share one).
 */
async function whyJournalsWait(db: Db, tenantId: string, status: string, waiting: number): Promise<string | null> {
  if (!waiting) return null;
  const n = `${waiting} journal${waiting === 1 ? '' : 's'}`;
  if (status !== 'connected') return `${n} wait for Xero to be reconnected, and go as soon as it is.`;
  const gate = await db('posting_gates').where({ tenant_id: tenantId }).first();
  if (gate?.unavailable_since) {
    return `Xero has not answered since ${hhmm(gate.unavailable_since)} (${gate.unavailable_reason}). ${n} wait, using no attempts, `
      + `and go within seconds of Xero answering again (Perpetua asks again at ${hhmm(gate.next_call_at)}).`;
  }
  const limited = await db('outbox').where({ tenant_id: tenantId, topic: 'journal.post', status: 'failed' })
    .where((q) => q.where('last_error', 'like', 'Xero rate limit%').orWhere('last_error', 'like', 'Waiting for Xero%rate limit%'))
    .min('next_attempt_at as until').first();
  if (limited?.until) return `Xero's rate limit is reached for now: ${n} wait for the allowance and go at ${hhmm(limited.until)}.`;
  return `${n} go in the next call to Xero (journals made close together share one call).`;
}
