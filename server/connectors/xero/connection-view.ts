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
  journals: { waiting: number; failed: number; posted: number };
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
    journals: { waiting: Number(counts.waiting), failed: Number(counts.failed), posted: Number(counts.posted) },
  };
}
