import request from 'supertest';
import { Express } from 'express';
import { openTestDb, TestDb } from '../../support/db';
import { testApp } from '../../support/app';
import { expectReconciled } from '../../support/ledger-checks';
import { csrfOf, Agent } from '../../http/support/session';
import { dec, Decimal } from '../../../server/domain/decimal';
import { drainOutbox } from '../../../server/jobs/outbox-worker';
import { drainWebhooks } from '../../../server/jobs/webhook-worker';
import { drainXeroSync } from '../../../server/jobs/xero-sync-worker';
import { createRegistry } from '../../../server/connectors/registry';
import { tenantForExternal } from '../../../server/connectors/xero/connections';
import { forgetLimits } from '../../../server/connectors/xero/limits';
import { createSuggestedAccounts } from '../../../server/connectors/xero/sync/accounts';
import { xeroDeps, xeroWebhookHandlers } from '../../../server/connectors/xero/wiring';
import { receiveLine } from '../../../server/services/goods-in/receive';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { Actor } from '../../../server/services/stock/types';
import { startFakeXero, FakeXero } from '../../support/fake-xero/server';
import { fakeXeroConfig } from '../../support/fake-xero/connect';
import { FakeOrganisation, FakeInvoice } from '../../support/fake-xero/state';
import { sign, XERO_WEBHOOK_KEY } from '../../webhooks/xero-deliveries';

// A working day with a fake Xero that keeps state: sign up with Xero, the first sync brings a
// purchase order, goods-in receives it and its journal reaches Xero; a bill at a higher price
// gives a variance journal; Xero fails for a while and every journal still arrives exactly once;
// a storm of duplicated, reordered webhooks records each bill once; a disconnect made in Xero
// holds postings until the admin reconnects. At the end Xero's journals equal the ledger's.
jest.setTimeout(120_000);

let t: TestDb;
let fake: FakeXero;
let app: Express;
let run: { sync(): Promise<number>; outbox(): Promise<number>; webhooks(): Promise<number> };
beforeAll(async () => {
  t = await openTestDb();
  fake = await startFakeXero();
  const config = { ...fakeXeroConfig(fake), xeroWebhookKey: XERO_WEBHOOK_KEY, signup: 'open' as const };
  app = testApp(t.db, config);
  const deps = xeroDeps(t.db, config);
  const registry = createRegistry(t.db, config);
  const handlers = xeroWebhookHandlers(deps);
  run = {
    sync: () => drainXeroSync(t.db, deps),
    outbox: () => drainOutbox(t.db, registry, { publicUrl: 'http://perpetua.test' }),
    webhooks: () => drainWebhooks(t.db, handlers, { resolveTenant: (p, id) => tenantForExternal(t.db, p, id) }),
  };
  forgetLimits();
}, 60_000);
afterAll(async () => {
  await fake.stop();
  await t.close();
});

const everythingDue = async () => {
  for (const table of ['outbox', 'webhook_events']) await t.db(table).whereIn('status', ['pending', 'failed']).update({ next_attempt_at: t.db.raw("now() - interval '1 second'") });
};

/** Run the workers round after round (as the app's pollers would), until nothing is left to do. */
async function settle(rounds = 20) {
  for (let i = 0; i < rounds; i++) {
    await everythingDue();
    await run.webhooks();
    await run.outbox();
    const left = await t.db('outbox').whereIn('status', ['pending', 'failed']).count('* as n').first();
    const events = await t.db('webhook_events').whereIn('status', ['pending', 'failed']).count('* as n').first();
    if (Number(left!.n) === 0 && Number(events!.n) === 0) return;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Xero's webhook: events for invoices, delivered as Xero signs them. */
function invoiceEvent(org: FakeOrganisation, inv: FakeInvoice, type: 'CREATE' | 'UPDATE', second: number) {
  return { resourceUrl: `${fake.apiUrl}/Invoices/${inv.InvoiceID}`, resourceId: inv.InvoiceID, eventDateUtc: `2026-11-25T12:00:${String(second).padStart(2, '0')}.000`, eventType: type, eventCategory: 'INVOICE', tenantId: org.tenantId, tenantType: 'ORGANISATION' };
}
let sequence = 0;
async function deliver(events: object[]) {
  const body = JSON.stringify({ events, firstEventSequence: ++sequence, lastEventSequence: (sequence += events.length), entropy: `E${sequence}` });
  await request(app).post('/webhooks/xero').set('content-type', 'application/json').set('x-xero-signature', sign(body)).send(body).expect(200);
}

/** Per Xero account code, the sum of what Xero holds and of what our journals say (debit − credit). */
async function balances(org: FakeOrganisation, actor: Actor) {
  const inXero = new Map<string, Decimal>();
  for (const j of fake.journalsIn(org)) for (const l of j.journal.JournalLines) inXero.set(l.AccountCode, (inXero.get(l.AccountCode) ?? dec(0)).plus(String(l.LineAmount)));
  const rows = await t.db('journal_lines as l').join('account_mappings as m', (q) => q.on('m.tenant_id', 'l.tenant_id').andOn('m.role', 'l.account_role'))
    .where('l.tenant_id', actor.tenantId).groupBy('m.account_code').select('m.account_code', t.db.raw('sum(l.amount) as amount'));
  const ours = new Map(rows.map((r) => [r.account_code as string, dec(r.amount)]));
  const fmt = (m: Map<string, Decimal>) => Object.fromEntries([...m].filter(([, v]) => !v.isZero()).map(([k, v]) => [k, v.toFixed(2)]).sort());
  return { inXero: fmt(inXero), ours: fmt(ours) };
}

async function connectAgain(agent: Agent, org: FakeOrganisation) {
  const page = await agent.get('/settings/xero').expect(200);
  const go = await agent.post('/settings/xero/connect').type('form').send({ _csrf: csrfOf(page.text) }).expect(303);
  fake.willConsent([org], { email: 'owner@hydro.test' });
  const back = new URL(fake.approve(go.headers.location));
  await agent.get(`${back.pathname}${back.search}`).expect(303);
}

it('runs a day of goods-in, bills, outages and webhook storms with every journal in Xero exactly once', async () => {
  // Before the day: the organisation in Xero, with a supplier, an item and an approved PO.
  const org = fake.organisation('Hydro Pumps Ltd');
  const supplier = org.addSupplier('Acme Bearings');
  org.addItem('BRG-6204', 'Bearing 6204', { price: 4.2 });
  const xeroPo = org.addPurchaseOrder(supplier, [{ ItemCode: 'BRG-6204', Quantity: 100, UnitAmount: 4.2 }]);

  // 08:00 Sign up with Xero: the organisation and its admin come from Xero, connected.
  const agent = request.agent(app);
  const start = await agent.get('/xero/signup').expect(303);
  fake.willConsent([org], { email: 'owner@hydro.test', givenName: 'Hana', familyName: 'Ito' });
  const callback = new URL(fake.approve(start.headers.location));
  await agent.get(`${callback.pathname}${callback.search}`).expect(303);
  const user = await t.db('users').where({ email: 'owner@hydro.test' }).first();
  const actor: Actor = { tenantId: user.tenant_id, userId: user.id, role: 'admin' };
  expect(await t.db('tenants').where({ id: actor.tenantId }).first()).toMatchObject({ name: 'Hydro Pumps Ltd', base_currency: 'GBP' });
  const created = await createSuggestedAccounts(xeroDeps(t.db, fakeXeroConfig(fake)), actor.tenantId);
  expect(created.created.length).toBeGreaterThan(0);

  // 08:05 The first sync: the Xero PO is receivable at goods-in.
  expect(await run.sync()).toBe(1);
  const po = await t.db('purchase_orders').where({ tenant_id: actor.tenantId, external_id: xeroPo.PurchaseOrderID }).first();
  expect(po).toMatchObject({ status: 'open' });
  const poLine = await t.db('purchase_order_lines').where({ tenant_id: actor.tenantId, po_id: po.id }).first();
  expect(dec(poLine.quantity).toFixed()).toBe('100');

  // 09:00 Goods-in: 60 bearings verified; the journal reaches Xero.
  await receiveLine(t.db, actor, po.id, { part: 'BRG-6204', quantity: dec(60) });
  await settle();
  const [receipt] = fake.journalsIn(org);
  expect(receipt.journal.JournalLines.map((l: any) => l.LineAmount)).toEqual([252, -252]);
  expect(receipt.journal.Status).toBe('POSTED');

  // 12:00 The supplier's bill, at 4.50 rather than 4.20: recorded from the webhook, variance journalled.
  const bill = org.addInvoice('ACCPAY', supplier, [{ ItemCode: 'BRG-6204', Quantity: 60, UnitAmount: 4.5 }], { number: 'INV-881', reference: po.number });
  await deliver([invoiceEvent(org, bill, 'CREATE', 1)]);
  await settle();
  const ourBill = await t.db('bills').where({ tenant_id: actor.tenantId, external_id: bill.InvoiceID }).first();
  expect(ourBill).toMatchObject({ number: 'INV-881' });
  const variance = fake.journalsIn(org)[1];
  expect(variance.journal.JournalLines.map((l: any) => l.LineAmount).sort((a: number, b: number) => a - b)).toEqual([-18, 18]);

  // 14:00 Xero falls over: three 503s and a 429, while four more lines are verified.
  fake.failNext(3, { status: 503, path: /ManualJournals/, body: 'Service Unavailable' });
  fake.failNext(1, { status: 429, path: /ManualJournals/, headers: { 'Retry-After': '1', 'X-Rate-Limit-Problem': 'minute' } });
  for (let i = 0; i < 4; i++) await receiveLine(t.db, actor, po.id, { part: 'BRG-6204', quantity: dec(10) });
  await settle(40);
  expect(fake.calls.filter((c) => c.path === '/ManualJournals' && (c.status === 503 || c.status === 429))).toHaveLength(4);

  // 16:00 A webhook storm: two bills' CREATE and UPDATE, each delivered three times, out of order.
  const second = org.addInvoice('ACCPAY', supplier, [{ ItemCode: 'BRG-6204', Quantity: 40, UnitAmount: 4.2 }], { number: 'INV-882', reference: po.number });
  const freight = org.addInvoice('ACCPAY', supplier, [{ Description: 'Freight', Quantity: 1, UnitAmount: 35, AccountCode: '425' }], { number: 'INV-883' });
  const storm = [second, freight].flatMap((inv, i) => [invoiceEvent(org, inv, 'UPDATE', 10 + i), invoiceEvent(org, inv, 'CREATE', 5 + i)]);
  const copies = [...storm, ...storm, ...storm].sort((a, b) => (a.resourceId + a.eventType).localeCompare(b.resourceId + b.eventType)).reverse();
  for (let i = 0; i < copies.length; i += 2) await deliver(copies.slice(i, i + 2));
  await settle();
  const bills = await t.db('bills').where({ tenant_id: actor.tenantId }).orderBy('number').select('number');
  expect(bills.map((b) => b.number)).toEqual(['INV-881', 'INV-882', 'INV-883']);
  const stormEvents = await t.db('webhook_events').whereIn('resource_id', [second.InvoiceID, freight.InvoiceID]).select('status');
  expect(stormEvents.map((e) => e.status)).toEqual(['processed', 'processed', 'processed', 'processed']);

  // 17:00 Someone disconnects Perpetua inside Xero: postings wait, visibly; reconnecting sends them.
  fake.disconnectInXero(org);
  await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).update({ access_expires_at: new Date(Date.now() - 1000) });
  await postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-25', lines: [{ part: 'BRG-6204', location: 'MAIN', quantity: dec(5) }] });
  await run.outbox();
  const page = await agent.get('/settings/xero').expect(200);
  expect(page.text).toContain('Needs reconnecting');
  expect(await t.db('outbox').where({ tenant_id: actor.tenantId, status: 'failed' }).count('* as n').first()).toEqual({ n: 1 });
  await connectAgain(agent, org);
  await settle();

  // The day's end: every journal posted once, and Xero's journals add up to the ledger's.
  const outbox = await t.db('outbox').where({ tenant_id: actor.tenantId }).select('status', 'external_id');
  expect(outbox.every((r) => r.status === 'done')).toBe(true);
  expect(new Set(outbox.map((r) => r.external_id)).size).toBe(outbox.length);
  expect(fake.journalsIn(org)).toHaveLength(outbox.length);
  const { inXero, ours } = await balances(org, actor);
  expect(inXero).toEqual(ours);
  await expectReconciled(t.db, actor);
});
