import crypto from 'node:crypto';
import nock from 'nock';
import { Db } from '../../../server/db';
import { encryptSecret } from '../../../server/connectors/xero/crypto';
import { Actor } from '../../../server/services/stock/types';

export const XERO_HOST = 'https://api.xero.test';
export const IDENTITY_HOST = 'https://identity.xero.test';
export const encryptionKey = crypto.randomBytes(32);
export const xeroConfig = {
  xero: { clientId: 'perpetua-client', clientSecret: 'perpetua-secret', apiUrl: `${XERO_HOST}/api.xro/2.0`, identityUrl: IDENTITY_HOST },
  encryptionKey,
};

export type ConnectionSeed = { status?: string; accessToken?: string; refreshToken?: string; expiresInMs?: number; periodLockDate?: string | null; endOfYearLockDate?: string | null };

/** A Xero connection as the connect flow leaves it, tokens encrypted. Returns the Xero tenantId. */
export async function givenXeroConnection(db: Db, actor: Actor, seed: ConnectionSeed = {}): Promise<{ xeroTenantId: string; connectionId: string }> {
  const xeroTenantId = crypto.randomUUID();
  const [row] = await db('accounting_connections').insert({
    tenant_id: actor.tenantId,
    provider: 'xero',
    external_tenant_id: xeroTenantId,
    organisation_name: 'Demo Company (UK)',
    status: seed.status ?? 'connected',
    access_token_enc: encryptSecret(seed.accessToken ?? 'access-1', encryptionKey),
    refresh_token_enc: encryptSecret(seed.refreshToken ?? 'refresh-1', encryptionKey),
    access_expires_at: new Date(Date.now() + (seed.expiresInMs ?? 30 * 60_000)),
    scopes: 'offline_access accounting.manualjournals accounting.settings.read',
    base_currency: 'GBP',
    period_lock_date: seed.periodLockDate ?? null,
    end_of_year_lock_date: seed.endOfYearLockDate ?? null,
  }).returning('id');
  return { xeroTenantId, connectionId: row.id };
}

export type Received = { xeroTenantId: string; idempotencyKey: string; authorization: string; body: any };
type Scripted = { status: number; body?: unknown; headers?: Record<string, string> };

/**
 * A stateful stand-in for Xero's PUT /ManualJournals, answering in the shapes of Xero's OpenAPI
 * file. Like Xero it replays the first answer for a repeated Idempotency-Key, so `created` counts
 * journals that exist in "Xero" and `received` counts calls. `script` answers the next calls
 * (a 503, a 429…) before it goes back to accepting.
 */
export function xeroDouble() {
  const received: Received[] = [];
  const created = new Map<string, { id: string; journal: any }>();
  const script: Scripted[] = [];
  let onRequest: (() => Promise<void>) | undefined;
  nock(XERO_HOST).persist().put('/api.xro/2.0/ManualJournals').query(true).reply(async function (_uri, body) {
    const h = this.req.headers;
    const call: Received = { xeroTenantId: String(h['xero-tenant-id']), idempotencyKey: String(h['idempotency-key']), authorization: String(h.authorization), body };
    received.push(call);
    if (onRequest) await onRequest();
    const next = script.shift();
    if (next) return [next.status, next.body ?? '', next.headers ?? {}];
    const key = `${call.xeroTenantId}/${call.idempotencyKey}`;
    if (!created.has(key)) created.set(key, { id: crypto.randomUUID(), journal: (body as any).ManualJournals[0] });
    const mj = created.get(key)!;
    return [200, manualJournalsResponse(mj.id, mj.journal), { 'x-minlimit-remaining': '59', 'x-daylimit-remaining': '4999' }];
  });
  return {
    received,
    created,
    script,
    slowDown(ms: number) { onRequest = () => new Promise((r) => setTimeout(r, ms)); },
    postsFor(journalId: string) { return received.filter((r) => r.idempotencyKey === journalId); },
  };
}

/** 200 from PUT /ManualJournals (OAS example shape: Id, Status, ProviderName, DateTimeUTC, ManualJournals). */
export function manualJournalsResponse(id: string, sent: any) {
  return {
    Id: crypto.randomUUID(),
    Status: 'OK',
    ProviderName: 'Perpetua',
    DateTimeUTC: `/Date(${Date.now()})/`,
    ManualJournals: [{
      Date: `/Date(${Date.parse(`${sent.Date}T00:00:00Z`)}+0000)/`,
      Status: sent.Status,
      LineAmountTypes: sent.LineAmountTypes,
      UpdatedDateUTC: `/Date(${Date.now()}+0000)/`,
      ManualJournalID: id,
      Narration: sent.Narration,
      JournalLines: sent.JournalLines.map((l: any) => ({ ...l, TaxType: 'NONE', Tracking: [], AccountID: crypto.randomUUID(), IsBlank: false })),
      ShowOnCashBasisReports: sent.ShowOnCashBasisReports,
      Url: sent.Url,
    }],
  };
}

/** 400 ValidationException (OAS components/schemas/Error). */
export function validationException(...messages: string[]) {
  return {
    ErrorNumber: 10,
    Type: 'ValidationException',
    Message: 'A validation exception occurred',
    Elements: [{ Narration: 'x', ValidationErrors: messages.map((Message) => ({ Message })) }],
  };
}

/** The token endpoint's answer to grant_type=refresh_token (OAS xero-identity RefreshToken). */
export function tokenSet(access: string, refresh: string) {
  return { id_token: 'id', access_token: access, expires_in: 1800, token_type: 'Bearer', refresh_token: refresh, scope: 'offline_access accounting.manualjournals accounting.settings.read' };
}
