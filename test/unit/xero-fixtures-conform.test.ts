import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import nock from 'nock';
import { problems, responseSchema, CheckOptions, OpenApi } from '../http/support/json-schema';
import * as sync from '../integration/xero/sync-fixtures';
import { invoicesResponse, invoiceEvent, xeroBill, xeroSalesInvoice } from '../integration/xero/invoice-fixtures';
import * as double from '../integration/xero/xero-double';
import { startFakeXero, FakeXero } from '../support/fake-xero/server';
import { FakeOrganisation } from '../support/fake-xero/state';
import { delivery, intentToReceive, xeroEvent } from '../webhooks/xero-deliveries';

// The issue asks for Xero tests on "nock and fixtures that conform to Xero's OpenAPI files". This
// checks the JSON our Xero doubles produce (the nock fixtures, the fake Xero server's HTTP
// answers, the webhook builders) against Xero's own files in test/fixtures/xero-openapi/,
// strictly: a field Xero's schema does not define, a wrong type or a value outside an enum fails.
// Where Xero's file and Xero's behaviour disagree, the test names the one known difference.

type Schema = Record<string, any>;
const readSpec = (file: string) => load(fs.readFileSync(path.join(__dirname, '../fixtures/xero-openapi', file), 'utf8')) as OpenApi & Record<string, any>;
const accounting = readSpec('xero_accounting.yaml');
const identity = readSpec('xero-identity.yaml');
const webhooks = readSpec('xero-webhooks.yaml');

// Xero's files use 3.1 keywords, allOf split over members and "/Date(ms+0000)/" dates; its
// webhook examples give eventDateUtc without a zone ("2024-06-21T01:15:39.902"), as Xero sends it.
const XERO: CheckOptions = { msDates: true, zonelessDateTimes: true, moreKeywords: true, allOfAsOne: true };

/** Problems of the body as it goes over the wire (JSON drops undefined fields). */
const check = (doc: OpenApi, body: unknown, schema: Schema) => problems(doc, JSON.parse(JSON.stringify(body)), schema, '$', XERO);
const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/**
 * Every response example in xero_accounting.yaml wraps the documented list in Id, Status,
 * ProviderName and DateTimeUTC, which no schema lists (see the test below): these four, and only
 * at the top of a 200 body, count as documented.
 */
function answer(method: string, route: string): Schema {
  const s = accounting.components.schemas[String(responseSchema(accounting, method, route, 200).$ref).split('/').pop()!];
  const envelope = { Id: { type: 'string', format: 'uuid' }, Status: { type: 'string', enum: ['OK'] }, ProviderName: { type: 'string' }, DateTimeUTC: { type: 'string', 'x-is-msdate-time': true } };
  return { ...s, properties: { ...envelope, ...s.properties } };
}

/**
 * A 400 ValidationException. Error.Elements documents only ValidationErrors and a few ids, but
 * Xero echoes the refused object in each element (the 400 examples of PUT /Accounts and PUT
 * /ManualJournals show it): an element may carry that object's documented fields too.
 */
function refusal(method: string, route: string, echoed: string): Schema {
  const error = accounting.components.schemas.Error;
  const element = { allOf: [schemaRef('Element'), schemaRef(echoed)] };
  expect(responseSchema(accounting, method, route, 400)).toEqual(schemaRef('Error'));
  return { ...error, properties: { ...error.properties, Elements: { type: 'array', items: element } } };
}

describe("Xero's OpenAPI files as the test reads them", () => {
  it('shows the Id/Status/ProviderName/DateTimeUTC envelope in its examples, though no schema lists it', () => {
    const example = accounting.paths['/Accounts'].put.responses['200'].content['application/json'].example;
    expect(Object.keys(example)).toEqual(['Id', 'Status', 'ProviderName', 'DateTimeUTC', 'Accounts']);
    expect(Object.keys(accounting.components.schemas.Accounts.properties)).toEqual(['Accounts']);
  });

  it('catches a field Xero does not define, a wrong type, a bad enum and a bad /Date()/', () => {
    const org = JSON.parse(JSON.stringify(sync.organisationResponse()));
    Object.assign(org.Organisations[0], { Nickname: 'x', PaysTax: 'yes', Version: 'UK2', PeriodLockDate: '2026-01-01' });
    expect(check(accounting, org, answer('get', '/Organisation'))).toEqual([
      '$.Organisations[0].PaysTax: is string, documented as boolean',
      '$.Organisations[0].Version: "UK2" is not one of AU, NZ, GLOBAL, UK, US, AUONRAMP, NZONRAMP, GLOBALONRAMP, UKONRAMP, USONRAMP',
      '$.Organisations[0].Nickname: is not documented',
      '$.Organisations[0].PeriodLockDate: "2026-01-01" is not a /Date(ms+0000)/',
    ]);
    const echoed = { ...double.validationException('x'), Elements: [{ Narration: 'x', Colour: 'red', ValidationErrors: [] }] };
    expect(check(accounting, echoed, refusal('put', '/ManualJournals', 'ManualJournal'))).toEqual(['$.Elements[0].Colour: is not documented']);
    expect(check(webhooks, JSON.parse(delivery([xeroEvent(1, { eventCategory: 'PAYMENT' })])), schemaRef('WebhookEvent')))
      .toEqual(['$.events[0].eventCategory: "PAYMENT" matches 0 of oneOf (CONTACT, INVOICE, SUBSCRIPTION, CREDITNOTE)']);
  });
});

describe('the nock fixtures of the sync pulls (sync-fixtures.ts)', () => {
  it('GET /Organisation, with and without lock dates', () => {
    expect(check(accounting, sync.organisationResponse(), answer('get', '/Organisation'))).toEqual([]);
    const locked = sync.organisationResponse({ name: 'Hydro Pumps Ltd', baseCurrency: 'EUR', periodLockDate: '2026-03-31', endOfYearLockDate: '2025-12-31' });
    expect(check(accounting, locked, answer('get', '/Organisation'))).toEqual([]);
  });

  it('GET /Accounts, one of each type the fixtures know, archived too', () => {
    const types = ['CURRENT', 'INVENTORY', 'BANK', 'CURRLIAB', 'EQUITY', 'EXPENSE', 'DIRECTCOSTS', 'OVERHEADS', 'REVENUE', 'SALES'];
    const accounts = types.map((type, i) => sync.account({ code: String(600 + i), name: type, type, status: i % 2 ? 'ARCHIVED' : 'ACTIVE' }));
    expect(check(accounting, sync.accountsResponse(accounts), answer('get', '/Accounts'))).toEqual([]);
  });

  it('PUT /Accounts refused for a code the chart already has', () => {
    expect(check(accounting, sync.accountCodeClash('630', 'Inventory', 'INVENTORY'), refusal('put', '/Accounts', 'Account'))).toEqual([]);
  });

  it('GET /Contacts, one page and paged', () => {
    const contacts = [sync.contact({ name: 'Acme Bearings' }), sync.contact({ name: 'Brightwater Farms', isSupplier: false, status: 'ARCHIVED', currency: 'EUR' })];
    expect(check(accounting, sync.contactsResponse(contacts), answer('get', '/Contacts'))).toEqual([]);
    expect(check(accounting, sync.contactsResponse(contacts, { page: 2, itemCount: 102 }), answer('get', '/Contacts'))).toEqual([]);
  });

  it('GET /Items, tracked and untracked', () => {
    const items = [sync.item({ code: 'BRG-6204', description: 'Bearing', tracked: true }), sync.item({ code: 'SVC', isPurchased: false })];
    expect(check(accounting, sync.itemsResponse(items), answer('get', '/Items'))).toEqual([]);
  });

  it('GET /PurchaseOrders in each amounts mode, with discounts, freight and a delivery date', () => {
    const lines = [{ itemCode: 'BRG-6204', quantity: 100, unitAmount: 4.2, discountRate: 10 }, { description: 'Freight', quantity: 1, unitAmount: 25 }];
    const pos = (['Exclusive', 'Inclusive', 'NoTax'] as const).map((amounts, i) =>
      sync.purchaseOrder({ number: `PO-000${i}`, amounts, lines, expected: '2026-12-01', currency: 'EUR', rate: 1.16, reference: 'Spring', status: 'SUBMITTED' }));
    expect(check(accounting, sync.purchaseOrdersResponse(pos, 1, 3), answer('get', '/PurchaseOrders'))).toEqual([]);
  });
});

describe('the nock fixtures of invoices and bills (invoice-fixtures.ts)', () => {
  it('GET /Invoices/{InvoiceID} with a bill and a sales invoice', () => {
    const bill = xeroBill({ LineItems: [{ ItemCode: 'BRG-6204', Quantity: 10, UnitAmount: 4.5, taxRate: 20, DiscountRate: 5 }, { Description: 'Carriage', Quantity: 1, UnitAmount: 12 }] });
    const sale = xeroSalesInvoice({ LineAmountTypes: 'Inclusive', CurrencyCode: 'EUR', CurrencyRate: 1.16, Status: 'PAID', LineItems: [{ ItemCode: 'PUMP-1', Quantity: 2, UnitAmount: 240, taxRate: 20 }] });
    expect(check(accounting, invoicesResponse(bill, sale), answer('get', '/Invoices/{InvoiceID}'))).toEqual([]);
  });

  it('has no documented 404 to check notFound() against', () => {
    // Xero answers an unknown id with {Title, Status, Detail}; its file documents only the 200.
    // When a newer file documents the 404, check notFound() here.
    expect(() => responseSchema(accounting, 'get', '/Invoices/{InvoiceID}', 404)).toThrow('documents no 404 response');
  });

  it('an INVOICE webhook event for an invoice', () => {
    const e = invoiceEvent('c2cc9b6e-9458-4c7d-93cc-f02b81b0594f', 'a03ffcd2-5d91-4c7e-b483-318584e9e439', 'CREATE');
    expect(check(webhooks, JSON.parse(delivery([e])), schemaRef('WebhookEvent'))).toEqual([]);
  });
});

/** A manual journal as the app sends it (server/connectors/xero/mapper.ts, serialised by xero-node). */
// Stock on a current asset: Xero refuses manual journals to its own 630 Inventory (INVENTORY type).
const sentJournal = (narration: string, code = '633', other = '310') => ({
  Narration: narration, Date: '2026-11-25', Status: 'POSTED', LineAmountTypes: 'NoTax', Url: 'http://perpetua.test/journals/1', ShowOnCashBasisReports: false,
  JournalLines: [{ LineAmount: 420, AccountCode: code, Description: narration }, { LineAmount: -420, AccountCode: other, Description: narration }],
});

describe('the nock doubles of journals and connections (xero-double.ts)', () => {
  it('PUT /ManualJournals, one journal and a batch', () => {
    expect(check(accounting, double.manualJournalsResponse('2c5d0d84-7fd5-4b4b-9a4b-1a0f9bbd2a11', sentJournal('Goods in GRN-1')), answer('put', '/ManualJournals'))).toEqual([]);
    const batch = double.manualJournalsResponse(['2c5d0d84-7fd5-4b4b-9a4b-1a0f9bbd2a11', '9a1b5c7e-0f42-4b0e-8a55-7d6e5c3b2a10'], [sentJournal('GRN-1'), sentJournal('GRN-2')]);
    expect(check(accounting, batch, answer('put', '/ManualJournals'))).toEqual([]);
  });

  it('PUT /ManualJournals refused with a ValidationException', () => {
    expect(check(accounting, double.validationException('The total debits must equal total credits'), refusal('put', '/ManualJournals', 'ManualJournal'))).toEqual([]);
  });

  it('GET /Organisation, with and without lock dates', () => {
    const org = { tenantId: '8be9db36-3598-4755-ba5c-c2dbc8c4a7a2', name: 'Hydro Pumps Ltd', baseCurrency: 'GBP' };
    expect(check(accounting, double.organisationResponse(org), answer('get', '/Organisation'))).toEqual([]);
    expect(check(accounting, double.organisationResponse({ ...org, periodLockDate: '2026-03-31', endOfYearLockDate: '2025-12-31' }), answer('get', '/Organisation'))).toEqual([]);
  });

  it("the token endpoint's answer: Xero's AccessToken lacks the scope the app stores", () => {
    // Xero does send `scope` (the app keeps it as the connection's scopes, server/connectors/xero/
    // tokens.ts), but xero-identity.yaml's AccessToken does not list it: the one known difference.
    expect(check(identity, double.tokenSet('access-1', 'refresh-1'), schemaRef('AccessToken'))).toEqual(['$.scope: is not documented']);
  });

  it("the identity double's token answer to a consent's code, and its /connections", async () => {
    const xero = double.xeroIdentityDouble();
    const org = xero.organisation({ name: 'Hydro Pumps Ltd' });
    const code = xero.consent([org.tenantId], { email: 'owner@hydro.test' }, 'n1');
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: double.xeroConfig.xero.redirectUri });
    const token = await (await fetch(`${double.IDENTITY_HOST}/connect/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() })).json();
    expect(check(identity, token, schemaRef('AccessToken'))).toEqual(['$.scope: is not documented']);
    const connections = await (await fetch(`${double.XERO_HOST}/connections`, { headers: { authorization: `Bearer ${token.access_token}` } })).json();
    expect(connections).toHaveLength(1);
    expect(check(identity, connections, identity.paths['/Connections'].get.responses['200'].content['application/json'].schema)).toEqual([]);
    nock.cleanAll();
  });
});

describe('the fake Xero server (test/support/fake-xero), over HTTP', () => {
  let fake: FakeXero;
  let org: FakeOrganisation;
  let tokens: Record<string, unknown>;
  let bill: ReturnType<FakeOrganisation['addInvoice']>;
  let supplier: ReturnType<FakeOrganisation['addSupplier']>;
  let po: ReturnType<FakeOrganisation['addPurchaseOrder']>;

  beforeAll(async () => {
    fake = await startFakeXero();
    org = fake.organisation('Hydro Pumps Ltd', { periodLockDate: '2026-03-31' });
    org.addAccount('633', 'Raw Materials Stock', 'CURRENT');
    supplier = org.addSupplier('Acme Bearings');
    const customer = org.addCustomer('Brightwater Farms');
    org.addItem('BRG-6204', 'Bearing 6204', { price: 4.2 });
    org.addItem('PUMP-1', 'Pump', { tracked: true, price: 120 });
    po = org.addPurchaseOrder(supplier, [{ ItemCode: 'BRG-6204', Quantity: 100, UnitAmount: 4.2 }, { Description: 'Freight', Quantity: 1, UnitAmount: 25, TaxAmount: 5 }], { expected: '2026-12-01', reference: 'Spring' });
    bill = org.addInvoice('ACCPAY', supplier, [{ ItemCode: 'BRG-6204', Quantity: 100, UnitAmount: 4.3 }], { number: 'SUP-1001' });
    org.changeInvoice(org.addInvoice('ACCREC', customer, [{ ItemCode: 'PUMP-1', Quantity: 1, UnitAmount: 240, TaxAmount: 48 }], { number: 'INV-0001' }), { Status: 'PAID' });
    tokens = await consentAndToken(fake, org);
  });
  afterAll(async () => { await fake.stop(); });

  const api = (method: string, route: string, body?: unknown) => fetch(`${fake.apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${tokens.access_token}`, 'xero-tenant-id': org.tenantId, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = async (res: Response, status = 200) => { expect(res.status).toBe(status); return res.json(); };

  it('POST /connect/token: the same AccessToken difference (scope) as the nock double', () => {
    expect(check(identity, tokens, schemaRef('AccessToken'))).toEqual(['$.scope: is not documented']);
  });

  it('GET /connections', async () => {
    const res = await fetch(`${fake.url}/connections`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(check(identity, await json(res), identity.paths['/Connections'].get.responses['200'].content['application/json'].schema)).toEqual([]);
  });

  it.each([
    ['/Organisation', '/Organisation'],
    ['/Accounts', '/Accounts'],
    ['/Contacts', '/Contacts'],
    ['/Items', '/Items'],
    ['/PurchaseOrders', '/PurchaseOrders'],
    ['/Invoices', '/Invoices'],
  ])('GET %s', async (route, documented) => {
    expect(check(accounting, await json(await api('GET', route)), answer('get', documented))).toEqual([]);
  });

  it('GET /Invoices/{InvoiceID}, /Contacts/{ContactID} and /PurchaseOrders/{PurchaseOrderID}', async () => {
    expect(check(accounting, await json(await api('GET', `/Invoices/${bill.InvoiceID}`)), answer('get', '/Invoices/{InvoiceID}'))).toEqual([]);
    expect(check(accounting, await json(await api('GET', `/Contacts/${supplier.ContactID}`)), answer('get', '/Contacts/{ContactID}'))).toEqual([]);
    expect(check(accounting, await json(await api('GET', `/PurchaseOrders/${po.PurchaseOrderID}`)), answer('get', '/PurchaseOrders/{PurchaseOrderID}'))).toEqual([]);
  });

  it('PUT /Accounts', async () => {
    const res = await api('PUT', '/Accounts', { Code: '1400', Name: 'Stock in transit', Type: 'CURRENT' });
    expect(check(accounting, await json(res), answer('put', '/Accounts'))).toEqual([]);
  });

  it('PUT /ManualJournals accepted', async () => {
    const res = await api('PUT', '/ManualJournals', { ManualJournals: [sentJournal('Goods in GRN-1')] });
    expect(check(accounting, await json(res), answer('put', '/ManualJournals'))).toEqual([]);
  });

  it('PUT /ManualJournals refused (an unknown account code) as a ValidationException', async () => {
    const res = await api('PUT', '/ManualJournals', { ManualJournals: [sentJournal('Goods in GRN-2', '999')] });
    expect(check(accounting, await json(res, 400), refusal('put', '/ManualJournals', 'ManualJournal'))).toEqual([]);
  });

  it('PUT /ManualJournals?summarizeErrors=false, one made and one refused', async () => {
    const res = await api('PUT', '/ManualJournals?summarizeErrors=false', { ManualJournals: [sentJournal('GRN-3'), sentJournal('GRN-4', '999')] });
    expect(check(accounting, await json(res), answer('put', '/ManualJournals'))).toEqual([]);
  });
});

/** The consent flow without a browser, then the code exchanged at POST /connect/token as the app does. */
async function consentAndToken(fake: FakeXero, org: FakeOrganisation): Promise<Record<string, unknown>> {
  const redirectUri = 'http://perpetua.test/xero/callback';
  fake.willConsent([org], { email: 'owner@hydro.test' });
  const authorize = `${fake.authorizeUrl}?${new URLSearchParams({ client_id: fake.clientId, redirect_uri: redirectUri, state: 's1', nonce: 'n1' })}`;
  const code = new URL(fake.approve(authorize)).searchParams.get('code')!;
  const res = await fetch(`${fake.identityUrl}/connect/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).toString(),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('the webhook deliveries (test/webhooks/xero-deliveries.ts)', () => {
  /**
   * xero-webhooks.yaml documents a delivery per webhook: credit-note events (which carry `data`)
   * under CreditNoteWebhookEvent, the others under WebhookEvent. A delivery is checked event by
   * event, each with the rest of the delivery, against the schema of its category.
   */
  function deliveryProblems(body: string): string[] {
    const d = JSON.parse(body);
    if (d.events.length === 0) return check(webhooks, d, schemaRef('WebhookEvent'));
    return d.events.flatMap((e: { eventCategory: string }, i: number) => {
      const schema = schemaRef(e.eventCategory === 'CREDITNOTE' ? 'CreditNoteWebhookEvent' : 'WebhookEvent');
      return check(webhooks, { ...d, events: [e] }, schema).map((p) => p.replace('$.events[0]', `$.events[${i}]`));
    });
  }

  it('a delivery of each category and event type', () => {
    const events = [
      xeroEvent(1),
      xeroEvent(2, { eventCategory: 'CONTACT', eventType: 'CREATE' }),
      xeroEvent(3, { eventCategory: 'CREDITNOTE' }),
      xeroEvent(4, { eventCategory: 'CREDITNOTE', data: { Type: 'ACCRECCREDIT', Status: 'PAID' } }),
    ];
    expect(deliveryProblems(delivery(events))).toEqual([]);
  });

  it("the intent-to-receive: Xero's file says sequences start at 1, but Xero sends 0 and 0", () => {
    // Xero's webhook docs (and its real intent-to-receive) send firstEventSequence and
    // lastEventSequence 0 with no events; xero-webhooks.yaml sets minimum: 1. The builder keeps
    // what Xero sends, so the app is tested on it; this names the one known difference.
    expect(deliveryProblems(intentToReceive())).toEqual([
      '$.firstEventSequence: 0 is below the minimum 1',
      '$.lastEventSequence: 0 is below the minimum 1',
    ]);
  });
});
