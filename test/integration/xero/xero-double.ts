import crypto from 'node:crypto';
import nock from 'nock';
import { Db } from '../../../server/db';
import { encryptSecret } from '../../../server/connectors/xero/crypto';
import { Actor } from '../../../server/services/stock/types';
import { openTestDb, TestDb } from '../../support/db';
import { XeroDeps } from '../../../server/connectors/xero/api';
import { xeroDeps } from '../../../server/connectors/xero/wiring';
import { forgetLimits } from '../../../server/connectors/xero/limits';
import { createRegistry, ConnectorRegistry } from '../../../server/connectors/registry';

export const XERO_HOST = 'https://api.xero.test';
export const IDENTITY_HOST = 'https://identity.xero.test';
export const LOGIN_HOST = 'https://login.xero.test';
export const encryptionKey = crypto.randomBytes(32);
export const xeroConfig = {
  xero: {
    clientId: 'perpetua-client',
    clientSecret: 'perpetua-secret',
    apiUrl: `${XERO_HOST}/api.xro/2.0`,
    identityUrl: IDENTITY_HOST,
    authorizeUrl: `${LOGIN_HOST}/identity/connect/authorize`,
    redirectUri: 'http://perpetua.test/xero/callback',
  },
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

export type Received = { xeroTenantId: string; idempotencyKey: string; authorization: string; body: any; summarizeErrors: string | null };
type Scripted = { status: number; body?: unknown; headers?: Record<string, string> };

/**
 * A stateful stand-in for Xero's PUT /ManualJournals, answering in the shapes of Xero's OpenAPI
 * file. Like Xero it replays the first answer for a repeated Idempotency-Key, so `created` holds
 * the journals that exist in "Xero" (by tenant and key, in the order sent) and `received` the
 * calls. `script` answers the next calls (a 503, a 429...) before it goes back to accepting;
 * `afterCreate` does the same but only after the journals were created (an answer lost on the way).
 */
export function xeroDouble() {
  const received: Received[] = [];
  const created = new Map<string, { ids: string[]; journals: any[] }>();
  const script: Scripted[] = [];
  const afterCreate: Scripted[] = [];
  let onRequest: (() => Promise<void>) | undefined;
  nock(XERO_HOST).persist().put('/api.xro/2.0/ManualJournals').query(true).reply(async function (uri, body) {
    const h = this.req.headers;
    const call: Received = { xeroTenantId: String(h['xero-tenant-id']), idempotencyKey: String(h['idempotency-key']), authorization: String(h.authorization), body, summarizeErrors: new URL(uri, XERO_HOST).searchParams.get('summarizeErrors') };
    received.push(call);
    if (onRequest) await onRequest();
    const next = script.shift();
    if (next) return [next.status, next.body ?? '', next.headers ?? {}];
    const key = `${call.xeroTenantId}/${call.idempotencyKey}`;
    if (!created.has(key)) {
      const journals = (body as any).ManualJournals as any[];
      created.set(key, { ids: journals.map(() => crypto.randomUUID()), journals });
    }
    const lost = afterCreate.shift();
    if (lost) return [lost.status, lost.body ?? '', lost.headers ?? {}];
    const c = created.get(key)!;
    return [200, manualJournalsResponse(c.ids, c.journals), { 'x-minlimit-remaining': '59', 'x-daylimit-remaining': '4999' }];
  });
  const journalsCreated = () => [...created.values()].flatMap((c) => c.journals.map((j, i) => ({ id: c.ids[i], journal: j })));
  return {
    received,
    created,
    script,
    afterCreate,
    slowDown(ms: number) { onRequest = () => new Promise((r) => setTimeout(r, ms)); },
    /** Calls sent under this key (a single journal goes under its own id). */
    postsFor(key: string) { return received.filter((r) => r.idempotencyKey === key); },
    /** Every journal that exists in "Xero", each once however often it was sent. */
    journalsCreated,
    /** Calls that carried a journal with this narration. */
    callsWith(narration: string) { return received.filter((r) => (r.body?.ManualJournals ?? []).some((j: any) => j.Narration === narration)); },
  };
}

/** 200 from PUT /ManualJournals (OAS example shape: Id, Status, ProviderName, DateTimeUTC, ManualJournals). */
export function manualJournalsResponse(ids: string | string[], sent: any | any[]) {
  const idList = [ids].flat();
  return {
    Id: crypto.randomUUID(),
    Status: 'OK',
    ProviderName: 'Perpetua',
    DateTimeUTC: `/Date(${Date.now()})/`,
    ManualJournals: [sent].flat().map((s: any, i: number) => createdJournal(idList[i], s)),
  };
}

function createdJournal(id: string, sent: any) {
  return {
    Date: `/Date(${Date.parse(`${sent.Date}T00:00:00Z`)}+0000)/`,
    Status: sent.Status,
    LineAmountTypes: sent.LineAmountTypes,
    UpdatedDateUTC: `/Date(${Date.now()}+0000)/`,
    ManualJournalID: id,
    Narration: sent.Narration,
    JournalLines: sent.JournalLines.map((l: any) => ({ ...l, TaxType: 'NONE', Tracking: [], AccountID: crypto.randomUUID(), IsBlank: false })),
    ShowOnCashBasisReports: sent.ShowOnCashBasisReports,
    Url: sent.Url,
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

/** A JWT as Xero issues them (tests only read the payload; the signature part is a placeholder). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

export type XeroOrgSeed = { tenantId?: string; connectionId?: string; name: string; baseCurrency?: string; periodLockDate?: string; endOfYearLockDate?: string };
export type XeroPerson = { email: string; givenName?: string; familyName?: string };

/**
 * Xero's identity side of a consent, stateful: the token endpoint answers one code (the next one
 * `consent()` arms) with tokens for the organisations ticked, /connections lists them for that
 * consent's authentication event, /Organisation describes each, and DELETE /connections/{id}
 * removes one. The id_token carries the nonce the app sent, as Xero does.
 */
export function xeroIdentityDouble() {
  const orgs = new Map<string, Required<Pick<XeroOrgSeed, 'tenantId' | 'connectionId' | 'name' | 'baseCurrency'>> & XeroOrgSeed>();
  const deleted: string[] = [];
  const tokenRequests: Record<string, string>[] = [];
  let armed: { code: string; event: string; tenants: string[]; person: XeroPerson; nonce?: string } | undefined;
  let n = 0;

  nock(IDENTITY_HOST).persist().post('/connect/token').reply(function (_uri, body) {
    const form = Object.fromEntries(new URLSearchParams(String(body)));
    tokenRequests.push(form);
    if (form.grant_type === 'refresh_token') return [200, tokenSet(`access-r${++n}`, `refresh-r${n}`)];
    if (!armed || form.code !== armed.code) return [400, { error: 'invalid_grant' }];
    const a = armed;
    armed = undefined; // a code is single-use
    const access = fakeJwt({ authentication_event_id: a.event, exp: Math.floor(Date.now() / 1000) + 1800 });
    const id = fakeJwt({ iss: IDENTITY_HOST, aud: xeroConfig.xero.clientId, exp: Math.floor(Date.now() / 1000) + 300, nonce: a.nonce, email: a.person.email, given_name: a.person.givenName ?? 'Ada', family_name: a.person.familyName ?? 'Lovelace', xero_userid: crypto.randomUUID() });
    return [200, { id_token: id, access_token: access, expires_in: 1800, token_type: 'Bearer', refresh_token: `refresh-c${++n}`, scope: 'openid profile email offline_access accounting.invoices.read accounting.manualjournals accounting.settings accounting.contacts.read' }];
  });
  nock(XERO_HOST).persist().get('/connections').query(true).reply(function (uri) {
    const event = new URL(uri, XERO_HOST).searchParams.get('authEventId');
    const list = [...orgs.values()].filter((o) => !deleted.includes(o.connectionId) && (!event || (consents.get(event) ?? []).includes(o.tenantId)));
    // Each connection names the consent that made it (Xero's Connection has no null authEventId).
    const madeBy = (tenantId: string) => event ?? [...consents].reverse().find(([, tenants]) => tenants.includes(tenantId))?.[0];
    return [200, list.map((o) => ({ id: o.connectionId, authEventId: madeBy(o.tenantId), tenantId: o.tenantId, tenantType: 'ORGANISATION', tenantName: o.name, createdDateUtc: new Date().toISOString(), updatedDateUtc: new Date().toISOString() }))];
  });
  nock(XERO_HOST).persist().delete(/\/connections\/.+/).reply(function (uri) {
    const id = uri.split('/').pop()!;
    if (![...orgs.values()].some((o) => o.connectionId === id) || deleted.includes(id)) return [404, ''];
    deleted.push(id);
    return [204, ''];
  });
  nock(XERO_HOST).persist().get('/api.xro/2.0/Organisation').reply(function () {
    const o = orgs.get(String(this.req.headers['xero-tenant-id']));
    if (!o) return [403, { Type: 'AuthorizationUnsuccessful', Title: 'Forbidden', Status: 403, Detail: 'AuthorizationUnsuccessful' }];
    return [200, organisationResponse(o)];
  });
  const consents = new Map<string, string[]>();

  return {
    tokenRequests,
    deleted,
    organisation(seed: XeroOrgSeed) {
      const o = { tenantId: seed.tenantId ?? crypto.randomUUID(), connectionId: seed.connectionId ?? crypto.randomUUID(), baseCurrency: seed.baseCurrency ?? 'GBP', ...seed };
      orgs.set(o.tenantId, o);
      return o;
    },
    /** The person ticks these organisations and allows access: the next code is good for them. */
    consent(tenantIds: string[], person: XeroPerson, nonce?: string) {
      const code = `code-${++n}`;
      const event = crypto.randomUUID();
      // Consenting again after a disconnect makes a new connection, as in Xero.
      for (const id of tenantIds) {
        const o = orgs.get(id);
        if (o && deleted.includes(o.connectionId)) o.connectionId = crypto.randomUUID();
      }
      consents.set(event, tenantIds);
      armed = { code, event, tenants: tenantIds, person, nonce };
      return code;
    },
  };
}

/** GET /Organisation (OAS Organisations). */
export function organisationResponse(o: XeroOrgSeed & { tenantId: string; baseCurrency: string }) {
  const msDate = (d?: string) => (d ? `/Date(${Date.parse(`${d}T00:00:00Z`)}+0000)/` : undefined);
  return {
    Id: crypto.randomUUID(), Status: 'OK', ProviderName: 'Perpetua', DateTimeUTC: `/Date(${Date.now()})/`,
    Organisations: [{
      OrganisationID: o.tenantId, APIKey: '', Name: o.name, LegalName: o.name, PaysTax: true, Version: 'UK', OrganisationType: 'COMPANY',
      BaseCurrency: o.baseCurrency, CountryCode: 'GB', IsDemoCompany: false, OrganisationStatus: 'ACTIVE',
      FinancialYearEndDay: 31, FinancialYearEndMonth: 3, SalesTaxBasis: 'ACCRUALS', DefaultSalesTax: 'Tax Exclusive', DefaultPurchasesTax: 'Tax Exclusive',
      PeriodLockDate: msDate(o.periodLockDate), EndOfYearLockDate: msDate(o.endOfYearLockDate),
      CreatedDateUTC: `/Date(${Date.now()})/`, OrganisationEntityType: 'COMPANY', Timezone: 'GMTSTANDARDTIME', ShortCode: '!abc12', Edition: 'BUSINESS', Class: 'STANDARD',
    }],
  };
}

/**
 * A Xero test file's set-up: one database, the Xero dependencies and the journal connectors
 * pointing at the nock double, no rate-limit pause carried from one test to the next, and no
 * nock interceptor left behind. Call it at the file's top level.
 */
export function xeroTestFile(): { readonly db: Db; readonly deps: XeroDeps; readonly registry: ConnectorRegistry } {
  let t: TestDb;
  let deps: XeroDeps;
  let registry: ConnectorRegistry;
  beforeAll(async () => {
    t = await openTestDb();
    deps = xeroDeps(t.db, xeroConfig);
    registry = createRegistry(t.db, xeroConfig);
  });
  afterAll(async () => { await t.close(); });
  beforeEach(() => forgetLimits());
  afterEach(() => { nock.cleanAll(); });
  return {
    get db() { return t.db; },
    get deps() { return deps; },
    get registry() { return registry; },
  };
}
