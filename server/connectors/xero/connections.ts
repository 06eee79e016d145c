import { Db, Trx } from '../../db';

type Q = Db | Trx;

export type ConnectionStatus = 'connected' | 'needs_reconnect' | 'disconnected';

export type XeroConnection = {
  tenantId: string;
  id: string;
  externalTenantId: string;
  organisationName: string;
  status: ConnectionStatus;
  accessTokenEnc: string | null;
  refreshTokenEnc: string | null;
  accessExpiresAt: Date | null;
  periodLockDate: string | null;
  endOfYearLockDate: string | null;
};

function toConnection(r: Record<string, any>): XeroConnection {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    externalTenantId: r.external_tenant_id,
    organisationName: r.organisation_name,
    status: r.status,
    accessTokenEnc: r.access_token_enc,
    refreshTokenEnc: r.refresh_token_enc,
    accessExpiresAt: r.access_expires_at ? new Date(r.access_expires_at) : null,
    periodLockDate: r.period_lock_date,
    endOfYearLockDate: r.end_of_year_lock_date,
  };
}

export async function xeroConnection(q: Q, tenantId: string, opts: { forUpdate?: boolean } = {}): Promise<XeroConnection | null> {
  let query = q('accounting_connections').where({ tenant_id: tenantId, provider: 'xero' });
  if (opts.forUpdate) query = query.forUpdate();
  const row = await query.first();
  return row ? toConnection(row) : null;
}

export async function saveTokens(q: Q, c: XeroConnection, t: { accessTokenEnc: string; refreshTokenEnc: string; expiresAt: Date; scopes?: string }): Promise<void> {
  await q('accounting_connections').where({ tenant_id: c.tenantId, id: c.id }).update({
    access_token_enc: t.accessTokenEnc,
    refresh_token_enc: t.refreshTokenEnc,
    access_expires_at: t.expiresAt,
    ...(t.scopes !== undefined ? { scopes: t.scopes } : {}),
    status: 'connected',
    last_error: null,
    updated_at: q.fn.now(),
  });
}

export async function markNeedsReconnect(q: Q, c: Pick<XeroConnection, 'tenantId' | 'id'>, reason: string): Promise<void> {
  await q('accounting_connections').where({ tenant_id: c.tenantId, id: c.id }).update({ status: 'needs_reconnect', last_error: reason.slice(0, 2000), updated_at: q.fn.now() });
}

/**
 * After a reconnect: journals and webhook events (bills, invoices) that were waiting for the
 * connection are due at once rather than at the end of their wait. The connect flow calls this
 * in its transaction.
 */
export async function resumeWaitingPostings(q: Q, tenantId: string): Promise<number> {
  await q('webhook_events').where({ tenant_id: tenantId, status: 'failed' }).update({ next_attempt_at: q.fn.now() });
  return q('outbox').where({ tenant_id: tenantId, topic: 'journal.post', status: 'failed' }).update({ next_attempt_at: q.fn.now(), updated_at: q.fn.now() });
}

/**
 * Our organisation linked to an accounting system's organisation (a webhook names only theirs).
 * A disconnected link still counts (the live one first, then the latest): its events then wait
 * for the reconnect on its admin's page instead of failing unowned.
 */
export async function tenantForExternal(q: Q, provider: 'xero' | 'quickbooks', externalTenantId: string): Promise<string | null> {
  const row = await q('accounting_connections').where({ provider, external_tenant_id: externalTenantId })
    .orderByRaw("(status = 'disconnected'), updated_at desc").first('tenant_id');
  return (row?.tenant_id as string | undefined) ?? null;
}
