import nock from 'nock';
import { givenOrganisation, givenPart } from '../../support/builders';
import { xeroConnection } from '../../../server/connectors/xero/connections';
import { refreshOrganisation } from '../../../server/connectors/xero/sync/organisation';
import { pullAccounts, createSuggestedAccounts, listExternalAccounts } from '../../../server/connectors/xero/sync/accounts';
import { pullSuppliers, contactWebhookHandler } from '../../../server/connectors/xero/sync/contacts';
import { pullItems } from '../../../server/connectors/xero/sync/items';
import { OLDEST_FIRST, pullPages } from '../../../server/connectors/xero/sync/paging';
import { listWarnings } from '../../../server/connectors/xero/sync/warnings';
import { supplierNamed } from '../../../server/services/purchasing/suppliers';
import { updateSettings } from '../../../server/services/settings';
import { Actor } from '../../../server/services/stock/types';
import { Conflict } from '../../../server/errors';
import { givenXeroConnection, XERO_HOST, xeroTestFile } from './xero-double';
import { account, accountCodeClash, accountsResponse, API, contact, contactsResponse, item, itemsResponse, onGet, organisationResponse } from './sync-fixtures';

const t = xeroTestFile();

async function connected(): Promise<{ actor: Actor; xeroTenantId: string; connection: NonNullable<Awaited<ReturnType<typeof xeroConnection>>> }> {
  const actor = await givenOrganisation(t.db);
  const { xeroTenantId } = await givenXeroConnection(t.db, actor);
  return { actor, xeroTenantId, connection: (await xeroConnection(t.db, actor.tenantId))! };
}
const row = (actor: Actor) => t.db('accounting_connections').where({ tenant_id: actor.tenantId }).first();
const suppliers = (actor: Actor) => t.db('suppliers').where({ tenant_id: actor.tenantId }).orderByRaw('lower(name)').select('name', 'external_id');

describe('pulling the organisation', () => {
  it('saves its name, base currency and both lock dates on the connection', async () => {
    const { actor, xeroTenantId, connection } = await connected();
    const get = onGet('/Organisation', () => [200, organisationResponse({ name: 'Brightwork Engineering Ltd', baseCurrency: 'GBP', periodLockDate: '2026-09-30', endOfYearLockDate: '2026-03-31' })]);
    await refreshOrganisation(t.deps, connection);
    expect(get.seen).toEqual([expect.objectContaining({ tenant: xeroTenantId })]);
    expect(await row(actor)).toMatchObject({ organisation_name: 'Brightwork Engineering Ltd', base_currency: 'GBP', period_lock_date: '2026-09-30', end_of_year_lock_date: '2026-03-31' });
    // The journal poster reads the lock dates from here.
    expect(await xeroConnection(t.db, actor.tenantId)).toMatchObject({ periodLockDate: '2026-09-30', endOfYearLockDate: '2026-03-31' });
  });

  it('clears a lock date Xero no longer has', async () => {
    const { actor, connection } = await connected();
    await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).update({ period_lock_date: '2026-06-30' });
    onGet('/Organisation', () => [200, organisationResponse({})]);
    await refreshOrganisation(t.deps, connection);
    expect((await row(actor)).period_lock_date).toBeNull();
  });
});

describe('pulling the chart of accounts', () => {
  it('upserts each account, keeps archived ones as ARCHIVED, and sends the cursor as If-Modified-Since', async () => {
    const { actor, connection } = await connected();
    const stock = account({ code: '630', name: 'Stock on hand', type: 'CURRENT', updated: '2026-11-03T08:00:00Z' });
    const first = onGet('/Accounts', () => [200, accountsResponse([stock, account({ code: '429', name: 'General Expenses', updated: '2026-11-01T08:00:00Z' }), account({ code: '477', name: 'Old wages', status: 'ARCHIVED' })])]);
    const out = await pullAccounts(t.deps, connection);
    expect(first.seen[0].ifModifiedSince).toBeUndefined();
    expect(out).toEqual({ cursor: new Date('2026-11-03T08:00:00Z'), count: 3 });
    expect(await listExternalAccounts(t.db, actor.tenantId)).toEqual([
      { id: expect.any(String), code: '429', name: 'General Expenses', type: 'EXPENSE', class: 'EXPENSE', status: 'ACTIVE' },
      { id: stock.AccountID, code: '630', name: 'Stock on hand', type: 'CURRENT', class: 'ASSET', status: 'ACTIVE' },
      { id: expect.any(String), code: '477', name: 'Old wages', type: 'EXPENSE', class: 'EXPENSE', status: 'ARCHIVED' },
    ]);

    const second = onGet('/Accounts', () => [200, accountsResponse([{ ...stock, Name: 'Raw materials stock', Status: 'ARCHIVED', UpdatedDateUTC: '/Date(1793779200000+0000)/' }])]);
    const next = await pullAccounts(t.deps, connection, out.cursor);
    expect(second.seen[0].ifModifiedSince).toBe('2026-11-03T08:00:00.000Z');
    expect(next.cursor).toEqual(new Date(1793779200000));
    const accounts = await listExternalAccounts(t.db, actor.tenantId);
    expect(accounts).toHaveLength(3);
    expect(accounts.find((a) => a.code === '630')).toMatchObject({ name: 'Raw materials stock', status: 'ARCHIVED' });

    // A full pull notices an account deleted in Xero (Xero no longer lists it).
    onGet('/Accounts', () => [200, accountsResponse([stock])]);
    await pullAccounts(t.deps, connection);
    expect((await listExternalAccounts(t.db, actor.tenantId)).map((a) => [a.code, a.status])).toEqual([['630', 'ACTIVE'], ['429', 'DELETED'], ['477', 'DELETED']]);
  });
});

describe('creating the suggested accounts in Xero', () => {
  function chartWith(codes: string[]) {
    return accountsResponse(codes.map((code) => account({ code, name: `Account ${code}`, type: 'EXPENSE' })));
  }

  it('creates each mapped account the chart lacks, stock as CURRENT assets and GRNI as a current liability (never INVENTORY), then pulls the chart again', async () => {
    const { actor } = await connected();
    // Pulled once, since deleted in Xero: the fresh pull notices, and 630 is created again.
    await t.db('external_accounts').insert({ tenant_id: actor.tenantId, provider: 'xero', external_id: 'gone', code: '630', name: 'Old stock', type: 'CURRENT', class: 'ASSET' });
    const have = ['310', '311', '312', '313', '314', '635', '840'];
    const created: any[] = [];
    const chart = chartWith(have);
    onGet('/Accounts', () => [200, chart]);
    nock(XERO_HOST).put(`${API}/Accounts`).times(4).reply((_uri, body: any) => {
      created.push(body);
      return [200, accountsResponse([account({ code: body.Code, name: body.Name, type: body.Type })])];
    });
    onGet('/Accounts', () => [200, accountsResponse([...chart.Accounts, ...created.map((b) => account({ code: b.Code, name: b.Name, type: b.Type }))])]);

    const result = await createSuggestedAccounts(t.deps, actor.tenantId);

    expect(created.map((b) => [b.Code, b.Name, b.Type])).toEqual([
      ['630', 'Raw Materials Stock', 'CURRENT'],
      ['631', 'Work in Progress', 'CURRENT'],
      ['632', 'Finished Goods Stock', 'CURRENT'],
      ['815', 'Goods Received Not Invoiced', 'CURRLIAB'],
    ]);
    expect(result.created.map((c) => c.role)).toEqual(['raw_materials', 'wip', 'finished_goods', 'grni']);
    expect(result.problems).toEqual([]);
    expect((await listExternalAccounts(t.db, actor.tenantId)).filter((a) => a.status === 'ACTIVE').map((a) => a.code).sort()).toEqual([...have, '630', '631', '632', '815'].sort());
  });

  it('reports a mapped code that is archived in Xero instead of creating it again', async () => {
    const { actor } = await connected();
    await updateSettings(t.db, actor.tenantId, { accounts: { scrap: { code: '5100', name: 'Scrap' } } });
    const chart = accountsResponse([...['630', '631', '632', '635', '815', '310', '311', '312', '314', '840'].map((code) => account({ code, name: `A ${code}` })), account({ code: '5100', name: 'Scrap', status: 'ARCHIVED' })]);
    onGet('/Accounts', () => [200, chart]);
    const put = nock(XERO_HOST).put(`${API}/Accounts`).reply(200, {});
    const result = await createSuggestedAccounts(t.deps, actor.tenantId);
    expect(result.created).toEqual([]);
    expect(result.problems).toEqual([{ role: 'scrap', code: '5100', message: expect.stringContaining('Account 5100 (Scrap) is archived in Xero') }]);
    expect(put.isDone()).toBe(false);
  });

  it('names the code when Xero reports a clash', async () => {
    const { actor } = await connected();
    onGet('/Accounts', () => [200, chartWith(['631', '632', '635', '815', '310', '311', '312', '313', '314', '840'])]);
    nock(XERO_HOST).put(`${API}/Accounts`).reply(400, accountCodeClash('630', 'Raw Materials Stock', 'CURRENT'));
    const err = await createSuggestedAccounts(t.deps, actor.tenantId).catch((e) => e);
    expect(err).toBeInstanceOf(Conflict);
    expect(err.message).toMatch(/^Xero already has an account with code 630 \(Please enter a unique Code\.\)/);
  });

  it('asks for a connection first', async () => {
    const actor = await givenOrganisation(t.db);
    await expect(createSuggestedAccounts(t.deps, actor.tenantId)).rejects.toThrow('Connect Xero first');
  });
});

describe('pulling suppliers', () => {
  it('pages through Xero suppliers, links a supplier typed in before by name, follows renames, and never duplicates', async () => {
    const { actor, connection } = await connected();
    await supplierNamed(t.db, actor.tenantId, 'acme components ltd');
    const acme = contact({ name: 'Acme Components Ltd', updated: '2026-11-01T10:00:00Z' });
    const page1 = Array.from({ length: 100 }, (_, i) => contact({ name: `Supplier ${String(i).padStart(3, '0')}`, updated: '2026-10-01T10:00:00Z' }));
    const get = onGet('/Contacts', (q) => [200, q.page === '1' ? contactsResponse(page1, { page: 1, itemCount: 101 }) : contactsResponse([acme], { page: 2, itemCount: 101 })], 2);

    const out = await pullSuppliers(t.deps, connection);

    expect(get.seen.map((s) => [s.query.page, s.query.where])).toEqual([['1', 'IsSupplier==true'], ['2', 'IsSupplier==true']]);
    expect(out).toEqual({ cursor: new Date('2026-11-01T10:00:00Z'), count: 101 });
    const rows = await suppliers(actor);
    expect(rows).toHaveLength(101);
    expect(rows[0]).toEqual({ name: 'acme components ltd', external_id: acme.ContactID });

    const again = onGet('/Contacts', () => [200, contactsResponse([{ ...acme, Name: 'Acme Components Group' }], { page: 1, itemCount: 1 })]);
    await pullSuppliers(t.deps, connection, out.cursor);
    expect(again.seen[0].ifModifiedSince).toBe('2026-11-01T10:00:00.000Z');
    expect((await suppliers(actor)).filter((s) => s.external_id === acme.ContactID)).toEqual([{ name: 'Acme Components Group', external_id: acme.ContactID }]);
    expect(await suppliers(actor)).toHaveLength(101);
  });

  it('updates a supplier from a CONTACT webhook event, and ignores a contact that is not a supplier', async () => {
    const { actor, xeroTenantId } = await connected();
    const supplier = contact({ name: 'Bolt & Nut Co' });
    const customer = contact({ name: 'A Customer', isSupplier: false });
    nock(XERO_HOST).get(`${API}/Contacts/${supplier.ContactID}`).reply(200, contactsResponse([supplier]));
    nock(XERO_HOST).get(`${API}/Contacts/${customer.ContactID}`).reply(200, contactsResponse([customer]));
    const handle = contactWebhookHandler(t.deps);
    const event = (resourceId: string) => ({ id: 'e', provider: 'xero' as const, externalTenantId: xeroTenantId, tenantId: actor.tenantId, category: 'CONTACT', type: 'UPDATE', resourceId, eventDate: new Date(), payload: {}, receivedAt: new Date(), status: 'pending' as const, attempts: 1, nextAttemptAt: new Date(), lastError: null, processedAt: null });
    await handle(event(supplier.ContactID));
    await handle(event(customer.ContactID));
    expect(await suppliers(actor)).toEqual([{ name: 'Bolt & Nut Co', external_id: supplier.ContactID }]);
  });
});

describe('pulling items', () => {
  it('links items to parts by SKU, creates a part for a bought item, and leaves sold-only items alone', async () => {
    const { actor, connection } = await connected();
    await givenPart(t.db, actor, 'BRG-6204', { name: 'Our bearing name' });
    onGet('/Items', () => [200, itemsResponse([
      item({ code: 'BRG-6204', name: 'Bearing 6204' }),
      item({ code: 'M8-BOLT', name: 'M8 bolt', description: 'M8 x 30 hex bolt, zinc', updated: '2026-11-04T12:00:00Z' }),
      item({ code: 'LABOUR', name: 'Fitting labour', isPurchased: false }),
    ])]);
    const out = await pullItems(t.deps, connection);
    expect(out).toMatchObject({ count: 3, partsCreated: ['M8-BOLT'], tracked: [], cursor: new Date('2026-11-04T12:00:00Z') });
    const parts = await t.db('parts').where({ tenant_id: actor.tenantId }).orderBy('sku').select('sku', 'name', 'description', 'unit', 'fractional', 'tracking', 'source');
    expect(parts).toEqual([
      { sku: 'BRG-6204', name: 'Our bearing name', description: '', unit: 'each', fractional: false, tracking: 'none', source: 'bought' },
      { sku: 'M8-BOLT', name: 'M8 bolt', description: 'M8 x 30 hex bolt, zinc', unit: 'each', fractional: false, tracking: 'none', source: 'bought' },
    ]);
  });

  it('warns about an item tracked as inventory in Xero, and clears the warning once it is untracked', async () => {
    const { actor, connection } = await connected();
    onGet('/Items', () => [200, itemsResponse([item({ code: 'MTR-1', tracked: true }), item({ code: 'MTR-2' })])]);
    await pullItems(t.deps, connection);
    expect(await listWarnings(t.db, connection)).toEqual([
      { code: 'tracked_item', item: 'MTR-1', message: expect.stringMatching(/^Item MTR-1 is tracked as inventory in Xero: .*counted twice\. Untrack it in Xero/) },
    ]);
    expect((await row(actor)).warnings).toHaveLength(1);

    onGet('/Items', () => [200, itemsResponse([item({ code: 'MTR-1', tracked: false, updated: '2026-11-05T00:00:00Z' })])]);
    await pullItems(t.deps, connection, new Date('2026-11-01T10:00:00Z'));
    expect(await listWarnings(t.db, connection)).toEqual([]);
  });
});

describe('paging through a Xero list (suppliers and purchase orders alike)', () => {
  const list = (taken: string[]) => ({
    what: 'its contacts',
    page: (since: Date | undefined, page: number) => (api: any, id: string) => api.getContacts(id, since, undefined, OLDEST_FIRST, undefined, page, undefined, undefined, undefined, undefined),
    records: (body: any) => body?.contacts,
    take: async (c: any) => { if (c.name === 'skip me') return false; taken.push(c.name); return true; },
  });
  const page = (n: number, from: number, count: number, itemCount: number) => contactsResponse(
    Array.from({ length: count }, (_, i) => contact({ name: from + i === 5 ? 'skip me' : `C${from + i}`, updated: `2026-11-0${n}T10:00:${String(i % 60).padStart(2, '0')}Z` })), { page: n, itemCount });

  it('reads every page oldest change first, takes each record, reports each page with the newest change seen, and stops at a short page', async () => {
    const { connection } = await connected();
    const get = onGet('/Contacts', (q) => [200, q.page === '1' ? page(1, 0, 100, 130) : page(2, 100, 30, 130)], 2);
    const taken: string[] = [];
    const pages: [number, number | undefined, string | undefined][] = [];
    const out = await pullPages(t.deps, connection, new Date('2026-10-01T00:00:00Z'), list(taken), async (done, total, seen) => { pages.push([done, total, seen?.toISOString()]); });
    expect(get.seen.map((s) => [s.query.page, s.query.order, s.ifModifiedSince])).toEqual([['1', 'UpdatedDateUTC ASC', '2026-10-01T00:00:00.000Z'], ['2', 'UpdatedDateUTC ASC', '2026-10-01T00:00:00.000Z']]);
    expect(pages).toEqual([[99, 130, '2026-11-01T10:00:59.000Z'], [129, 130, '2026-11-02T10:00:29.000Z']]);
    expect(out).toEqual({ cursor: new Date('2026-11-02T10:00:29Z'), count: 129 });
    expect(taken).toHaveLength(129);
  });

  it('stops between pages, paused, once Xero has fewer calls left today than the reserve, with how far it got', async () => {
    const { connection } = await connected();
    onGet('/Contacts', () => [200, page(1, 10, 100, 300), { 'x-daylimit-remaining': '199' }]);
    const out = await pullPages(t.deps, connection, undefined, list([]));
    expect(out).toEqual({ cursor: new Date('2026-11-01T10:00:59Z'), count: 100, paused: true });
  });

  it('says which list Xero did not give', async () => {
    const { connection } = await connected();
    onGet('/Contacts', () => [400, { Message: 'bad where' }]);
    await expect(pullPages(t.deps, connection, undefined, list([]))).rejects.toThrow(/^Xero did not give its contacts \(400: /);
  });
});
