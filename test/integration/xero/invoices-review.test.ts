import nock from 'nock';
import { ObjectSerializer, PurchaseOrder } from 'xero-node';
import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { expectReconciled, onHand } from '../../support/ledger-checks';
import { givenPo } from '../goods-in/helpers';
import { givenStock } from '../jobs/helpers';
import { dec } from '../../../server/domain/decimal';
import { today } from '../../../server/clock';
import { receiveLine } from '../../../server/services/goods-in/receive';
import { createPurchaseOrder } from '../../../server/services/purchasing/create-po';
import { billView } from '../../../server/services/bills/views';
import { mapPurchaseOrder } from '../../../server/connectors/xero/sync/po-input';
import { requestDispatch, requestRetry, setSalesInvoiceDispatch, syncInvoice } from '../../../server/connectors/xero/invoices';
import { saveDocument } from '../../../server/connectors/xero/invoices/documents';
import { Actor } from '../../../server/services/stock/types';
import { givenXeroConnection, XERO_HOST } from './xero-double';
import { deliver, drainInvoiceEvents, invoiceDeps, invoiceEvent, invoicesResponse, xeroBill, XeroInvoiceJson, xeroInvoices, xeroSalesInvoice } from './invoice-fixtures';
import { purchaseOrder } from './sync-fixtures';

// Regressions from the review of the INVOICE webhook handling: two workers racing on one
// invoice, documents from before go-live, a disconnected organisation, and discounted prices.

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });
afterEach(() => { nock.cleanAll(); });

const drain = () => drainInvoiceEvents(t.db);
const doc = (actor: Actor, externalId: string) => t.db('external_documents').where({ tenant_id: actor.tenantId, external_id: externalId }).first();
const bills = (actor: Actor) => t.db('bills').where({ tenant_id: actor.tenantId });
const dispatches = (actor: Actor) => t.db('dispatches').where({ tenant_id: actor.tenantId });
const eventsFor = (invoiceId: string) => t.db('webhook_events').where({ resource_id: invoiceId }).orderBy('received_at');
const makeDue = (invoiceId: string) => t.db('webhook_events').where({ resource_id: invoiceId }).update({ next_attempt_at: t.db.raw("now() - interval '1 second'") });
const setConnection = (actor: Actor, status: string) => t.db('accounting_connections').where({ tenant_id: actor.tenantId, provider: 'xero' }).update({ status });

/** Acme Bearings delivered 10 × BRG-1 at 2.50 against a PO; Xero is connected. */
async function received() {
  const actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'BRG-1');
  const po = await givenPo(t.db, actor, [{ part: 'BRG-1', qty: 10, price: '2.50' }]);
  await receiveLine(t.db, actor, po.id, { part: 'BRG-1', quantity: dec(10) });
  const { xeroTenantId } = await givenXeroConnection(t.db, actor);
  return { actor, po, xeroTenantId };
}

/** 5 gearboxes (finished goods) in stock at 120.00; Xero connected with automatic dispatch on. */
async function finishedGoods() {
  const actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'GBX-200', { source: 'made' });
  await givenStock(t.db, actor, [['GBX-200', 5, '120.00']]);
  const { xeroTenantId } = await givenXeroConnection(t.db, actor);
  await setSalesInvoiceDispatch(t.db, actor.tenantId, 'auto');
  return { actor, xeroTenantId };
}

/**
 * The next GET /Invoices/{id} is answered with `inv` only when released: a worker that fetched
 * the invoice and is slow to act on what it got. Registered before xeroInvoices(), so it is
 * the first answer.
 */
function slowAnswer(inv: XeroInvoiceJson) {
  let asked!: () => void;
  let release!: () => void;
  const wasAsked = new Promise<void>((r) => { asked = r; });
  const released = new Promise<void>((r) => { release = r; });
  nock(XERO_HOST).get(`/api.xro/2.0/Invoices/${inv.InvoiceID}`).query(true).reply(async () => {
    asked();
    await released;
    return [200, invoicesResponse(inv)];
  });
  return { wasAsked, release };
}

/** Approved in Xero a minute ago, with Perpetua ready to act on it. */
const approved = {
  'sales invoice': async (updated: Date) => {
    const { actor } = await finishedGoods();
    return { actor, made: () => dispatches(actor), inv: xeroSalesInvoice({ InvoiceNumber: 'INV-0042', UpdatedDateUTC: updated, LineItems: [{ ItemCode: 'GBX-200', Quantity: 2, UnitAmount: 450 }] }) };
  },
  bill: async (updated: Date) => {
    const { actor, po } = await received();
    return { actor, made: () => bills(actor), inv: xeroBill({ InvoiceNumber: 'AB-7731', Reference: po.number, Contact: { Name: 'Acme Bearings' }, UpdatedDateUTC: updated, LineItems: [{ ItemCode: 'BRG-1', Quantity: 10, UnitAmount: 2.8 }] }) };
  },
};

describe('two workers on one invoice', () => {
  it.each([
    ['sales invoice', 'dispatched', 'VOIDED in Xero after the goods were dispatched: the dispatch stays until a person reverses it'],
    ['bill', 'recorded', 'VOIDED in Xero after it was recorded here: the bill and its price difference stay until a person reverses them'],
  ] as const)('keeps a %s %s from an older answer that finished after a newer one skipped it, and says what Xero shows now', async (kind, outcome, message) => {
    const { actor, made, inv: authorised } = await approved[kind](new Date(Date.now() - 60_000));
    const worker1Answer = slowAnswer(authorised);
    const xero = xeroInvoices();
    xero.put({ ...authorised, Status: 'VOIDED' }); // voided in Xero a minute after it was approved

    // Worker 1 fetched the invoice while it was approved; worker 2 fetches it voided, finds no row, skips it.
    const worker1 = syncInvoice(invoiceDeps(t.db), actor.tenantId, authorised.InvoiceID);
    await worker1Answer.wasAsked;
    await syncInvoice(invoiceDeps(t.db), actor.tenantId, authorised.InvoiceID);
    expect(await doc(actor, authorised.InvoiceID)).toMatchObject({ outcome: 'skipped', local_id: null, external_status: 'VOIDED' });

    // Worker 1 then acts on the older answer: the bill or dispatch exists, so the row must link it.
    worker1Answer.release();
    await worker1;
    const rows = await made();
    expect(rows).toHaveLength(1);
    expect(await doc(actor, authorised.InvoiceID)).toMatchObject({ outcome, local_id: rows[0].id, external_status: 'VOIDED', message });
    expect(xero.calls).toHaveLength(2); // worker 2, and worker 1 looking again after it was overtaken
    await expectReconciled(t.db, actor);
  });

  it('writes a recorded or dispatched answer over any other, older or not, and never lets one that did nothing replace its outcome, link or message', async () => {
    const { actor } = await received();
    const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 9, 0, s));
    const base = { kind: 'sales_invoice' as const, externalId: '0e3c8a4e-1111-4c1e-9a55-5d2b1f0c7e01', number: 'INV-0042', contactName: 'Brightwater Farms' };
    const save = (s: number, status: string, outcome: 'dispatched' | 'skipped' | 'failed' | 'listed', message: string, localId: string | null = null) =>
      saveDocument(t.db, actor.tenantId, { ...base, externalUpdatedAt: at(s), externalStatus: status, outcome, message, localId });
    const dispatchId = '7d1f9a3c-2222-4b8e-8f00-3a9c2e6b5d02';

    await save(20, 'VOIDED', 'skipped', 'VOIDED in Xero before anything was dispatched');
    await save(10, 'AUTHORISED', 'dispatched', 'Dispatched as D-00001', dispatchId);
    expect(await doc(actor, base.externalId)).toMatchObject({ outcome: 'dispatched', local_id: dispatchId, message: 'Dispatched as D-00001', external_status: 'VOIDED', external_updated_at: at(20) });

    await save(30, 'PAID', 'failed', 'Not enough GBX-200 at MAIN');
    expect(await doc(actor, base.externalId)).toMatchObject({ outcome: 'dispatched', local_id: dispatchId, message: 'Dispatched as D-00001', external_status: 'PAID', external_updated_at: at(30) });

    await save(5, 'DRAFT', 'listed', 'DRAFT in Xero');
    expect(await doc(actor, base.externalId)).toMatchObject({ outcome: 'dispatched', external_status: 'PAID', external_updated_at: at(30) });
  });
});

describe('documents dated before Xero was connected', () => {
  it('does not dispatch an old sales invoice when a payment on it sends an UPDATE, even with automatic dispatch on', async () => {
    const { actor, xeroTenantId } = await finishedGoods();
    const xero = xeroInvoices();
    const old = xero.put(xeroSalesInvoice({ InvoiceNumber: 'INV-0007', Date: '2026-01-04', Status: 'PAID', LineItems: [{ ItemCode: 'GBX-200', Quantity: 2, UnitAmount: 450 }] }));
    await deliver(t.db, [invoiceEvent(xeroTenantId, old.InvoiceID, 'UPDATE')]);
    await drain();

    expect(await dispatches(actor)).toHaveLength(0);
    expect(await onHand(t.db, actor, 'GBX-200')).toBe('5');
    const row = await doc(actor, old.InvoiceID);
    expect(row).toMatchObject({ outcome: 'skipped', local_id: null, external_status: 'PAID', message: `Dated 2026-01-04, before Xero was connected to Perpetua on ${today()}: not dispatched` });
    await expect(requestDispatch(t.db, actor, row.id)).rejects.toThrow(/is skipped: only a listed or failed one can be dispatched/);
  });

  it('does not record an old bill, and records one dated the day Xero was connected', async () => {
    const { actor, po, xeroTenantId } = await received();
    const xero = xeroInvoices();
    const old = xero.put(xeroBill({ InvoiceNumber: 'AB-0100', Date: '2026-01-04', Contact: { Name: 'Acme Bearings' }, LineItems: [{ ItemCode: 'BRG-1', Quantity: 10, UnitAmount: 2.5 }] }));
    const current = xero.put(xeroBill({ InvoiceNumber: 'AB-7731', Date: today(), Reference: po.number, Contact: { Name: 'Acme Bearings' }, LineItems: [{ ItemCode: 'BRG-1', Quantity: 10, UnitAmount: 2.5 }] }));
    await deliver(t.db, [invoiceEvent(xeroTenantId, old.InvoiceID), invoiceEvent(xeroTenantId, current.InvoiceID)]);
    await drain();

    expect((await bills(actor)).map((b) => b.number)).toEqual(['AB-7731']);
    expect(await doc(actor, old.InvoiceID)).toMatchObject({ kind: 'bill', outcome: 'skipped', local_id: null, message: `Dated 2026-01-04, before Xero was connected to Perpetua on ${today()}: not recorded` });
    expect(await doc(actor, current.InvoiceID)).toMatchObject({ outcome: 'recorded' });
  });
});

describe('an organisation whose Xero connection cannot be used', () => {
  it.each(['disconnected', 'needs_reconnect'])('keeps a bill\'s event waiting, without using up attempts, while %s, and records the bill once reconnected', async (status) => {
    const { actor, po, xeroTenantId } = await received();
    const xero = xeroInvoices();
    const inv = xero.put(xeroBill({ InvoiceNumber: 'AB-7731', Reference: po.number, Contact: { Name: 'Acme Bearings' }, LineItems: [{ ItemCode: 'BRG-1', Quantity: 10, UnitAmount: 2.5 }] }));
    await setConnection(actor, status);
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID, 'CREATE')]);
    await drain();

    const [waiting] = await eventsFor(inv.InvoiceID);
    expect(waiting).toMatchObject({ status: 'failed', attempts: 0 });
    expect(waiting.last_error).toMatch(/^Xero needs reconnecting: /);
    expect(xero.calls).toHaveLength(0);
    expect(await doc(actor, inv.InvoiceID)).toBeUndefined();

    await setConnection(actor, 'connected');
    await makeDue(inv.InvoiceID);
    await drain();
    expect(await eventsFor(inv.InvoiceID)).toEqual([expect.objectContaining({ status: 'processed' })]);
    expect(await bills(actor)).toHaveLength(1);
  });

  it('keeps a Try again asked for before a disconnect waiting until Xero is connected again', async () => {
    const { actor, po, xeroTenantId } = await received();
    const xero = xeroInvoices();
    const inv = xero.put(xeroBill({ InvoiceNumber: 'AB-8000', Reference: po.number, LineItems: [{ ItemCode: 'BRG-9', Quantity: 2, UnitAmount: 4 }] }));
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);
    await drain();
    const failed = await doc(actor, inv.InvoiceID);
    expect(failed.outcome).toBe('failed');

    await givenPart(t.db, actor, 'BRG-9');
    await requestRetry(t.db, actor, failed.id);
    await setConnection(actor, 'disconnected');
    await drain();
    const retry = (await eventsFor(inv.InvoiceID)).find((e) => e.type === 'RETRY');
    expect(retry).toMatchObject({ status: 'failed', attempts: 0, last_error: `Xero needs reconnecting: disconnected; invoice ${inv.InvoiceID} waits until it is connected again` });
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ outcome: 'failed' });

    await setConnection(actor, 'connected');
    await makeDue(inv.InvoiceID);
    await drain();
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ outcome: 'recorded' });
  });
});

describe('a discounted line', () => {
  it('is billed at the price its PO from Xero was taken in at: no price difference from rounding', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'BRG-1');
    const { xeroTenantId } = await givenXeroConnection(t.db, actor);
    const fromXero = ObjectSerializer.deserialize(purchaseOrder({ number: 'PO-0077', lines: [{ itemCode: 'BRG-1', quantity: 3, unitAmount: 9.99, discountRate: 12.5, taxRatePct: 20 }] }), 'PurchaseOrder') as PurchaseOrder;
    const { input } = await t.db.transaction((trx) => mapPurchaseOrder(trx, actor.tenantId, fromXero, 'Acme Bearings'));
    const po = (await createPurchaseOrder(t.db, actor, input)).body;
    await receiveLine(t.db, actor, po.id, { part: 'BRG-1', quantity: dec(3) });

    const xero = xeroInvoices();
    const bill = xero.put(xeroBill({ InvoiceNumber: 'AB-7731', Reference: po.number, Contact: { Name: 'Acme Bearings' }, LineItems: [{ ItemCode: 'BRG-1', Quantity: 3, UnitAmount: 9.99, DiscountRate: 12.5, taxRate: 20 }] }));
    await deliver(t.db, [invoiceEvent(xeroTenantId, bill.InvoiceID)]);
    await drain();

    const [row] = await bills(actor);
    const view = await billView(t.db, actor.tenantId, row.id);
    expect(view.lines[0].matches[0]).toMatchObject({ receipt_unit_cost: '8.74125', bill_unit_cost: '8.74125' });
    expect(view.lines[0].flags).toEqual([]);
    expect(view).toMatchObject({ revalued: '0.00', variance: '0.00' });
    expect(await doc(actor, bill.InvoiceID)).toMatchObject({ outcome: 'recorded', message: '' });
  });
});
