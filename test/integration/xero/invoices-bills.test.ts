import nock from 'nock';
import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { expectReconciled } from '../../support/ledger-checks';
import { givenPo } from '../goods-in/helpers';
import { dec } from '../../../server/domain/decimal';
import { today } from '../../../server/clock';
import { receiveLine } from '../../../server/services/goods-in/receive';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { recordBill } from '../../../server/services/bills/record-bill';
import { billView } from '../../../server/services/bills/views';
import { requestRetry } from '../../../server/connectors/xero/invoices';
import { saveDocument } from '../../../server/connectors/xero/invoices/documents';
import { Actor } from '../../../server/services/stock/types';
import { givenXeroConnection } from './xero-double';
import { deliver, drainInvoiceEvents, invoiceEvent, xeroBill, xeroInvoices } from './invoice-fixtures';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });
afterEach(() => { nock.cleanAll(); });

const drain = () => drainInvoiceEvents(t.db);
const bills = (actor: Actor) => t.db('bills').where({ tenant_id: actor.tenantId });
const doc = (actor: Actor, externalId: string) => t.db('external_documents').where({ tenant_id: actor.tenantId, external_id: externalId }).first();
const eventsFor = (invoiceId: string) => t.db('webhook_events').where({ resource_id: invoiceId }).orderBy('received_at');
const makeDue = (invoiceId: string) => t.db('webhook_events').where({ resource_id: invoiceId }).update({ next_attempt_at: t.db.raw("now() - interval '1 second'") });
const journalLines = async (actor: Actor, eventId: string) => (await t.db('journal_lines as l').join('journals as j', (q) => q.on('j.id', 'l.journal_id').andOn('j.tenant_id', 'l.tenant_id'))
  .where({ 'j.tenant_id': actor.tenantId, 'j.event_id': eventId }).orderBy('l.line_no').select('l.account_role', 'l.amount')).map((r) => [r.account_role, dec(r.amount).toFixed()]);

/** Acme Bearings delivered 10 × BRG-1 at 2.50 against a PO, 4 have been used since; Xero is connected. */
async function received() {
  const actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'BRG-1');
  const po = await givenPo(t.db, actor, [{ part: 'BRG-1', qty: 10, price: '2.50' }]);
  await receiveLine(t.db, actor, po.id, { part: 'BRG-1', quantity: dec(10) });
  await postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: today(), lines: [{ part: 'BRG-1', location: 'MAIN', quantity: dec(4) }] });
  const { xeroTenantId } = await givenXeroConnection(t.db, actor);
  return { actor, po, xeroTenantId, xero: xeroInvoices() };
}

const dearerBill = (poNumber: string, extra: Partial<Parameters<typeof xeroBill>[0]> = {}) =>
  xeroBill({ InvoiceNumber: 'AB-7731', Reference: poNumber, Contact: { Name: 'Acme Bearings' }, LineItems: [{ ItemCode: 'BRG-1', Quantity: 10, UnitAmount: 2.8, taxRate: 20 }], ...extra });

describe('a Xero bill from an INVOICE webhook', () => {
  it('records an approved bill against the receipt and journals the higher price: stock on hand revalued, the used part to PPV', async () => {
    const { actor, po, xeroTenantId, xero } = await received();
    const inv = xero.put(dearerBill(po.number));
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID, 'CREATE')]);

    expect(await drain()).toBe(1);

    expect(xero.calls).toEqual([{ invoiceId: inv.InvoiceID, xeroTenantId, unitdp: '4' }]);
    const [row] = await bills(actor);
    expect(row).toMatchObject({ number: 'AB-7731', reference: po.number, external_id: inv.InvoiceID, amounts: 'exclusive' });
    const bill = await billView(t.db, actor.tenantId, row.id);
    expect(bill.supplier).toBe('Acme Bearings');
    expect(bill.lines).toEqual([expect.objectContaining({ part: 'BRG-1', quantity: '10', unit_price: '2.8', tax_rate: '20', account_code: '815', matched_qty: '10', flags: [] })]);
    expect(bill.lines[0].matches).toEqual([expect.objectContaining({ po_number: po.number, quantity: '10', receipt_unit_cost: '2.5', bill_unit_cost: '2.8' })]);
    expect(bill).toMatchObject({ revalued: '1.80', variance: '1.20' });
    expect(await journalLines(actor, bill.event_id!)).toEqual([['raw_materials', '1.8'], ['ppv', '1.2'], ['grni', '-3']]);
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ kind: 'bill', number: 'AB-7731', contact_name: 'Acme Bearings', external_status: 'AUTHORISED', outcome: 'recorded', local_id: row.id, message: '' });
    expect((await eventsFor(inv.InvoiceID))[0]).toMatchObject({ status: 'processed', tenant_id: actor.tenantId });
    await expectReconciled(t.db, actor);
  });

  it('records the bill once when its events arrive three times, out of order, to two workers, and again after a crash before the outcome was written', async () => {
    const { actor, po, xeroTenantId, xero } = await received();
    const inv = xero.put(dearerBill(po.number));
    const create = invoiceEvent(xeroTenantId, inv.InvoiceID, 'CREATE', '2026-11-25T09:00:00.000');
    const update = invoiceEvent(xeroTenantId, inv.InvoiceID, 'UPDATE', '2026-11-25T09:00:05.000');
    await deliver(t.db, [update]);
    await deliver(t.db, [create, update]);
    await deliver(t.db, [update, create]);
    expect(await eventsFor(inv.InvoiceID)).toHaveLength(2);

    await Promise.all([drain(), drain()]);
    expect(await bills(actor)).toHaveLength(1);
    expect((await eventsFor(inv.InvoiceID)).map((e) => e.status)).toEqual(['processed', 'processed']);

    // As if the worker died after recordBill committed and before external_documents was written.
    await t.db('external_documents').where({ tenant_id: actor.tenantId }).del();
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID, 'UPDATE')]);
    await drain();
    const [row] = await bills(actor);
    expect(await bills(actor)).toHaveLength(1);
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ outcome: 'recorded', local_id: row.id });
    expect(await t.db('bill_matches').where({ tenant_id: actor.tenantId })).toHaveLength(1);
    await expectReconciled(t.db, actor);
  });

  it('lists a draft bill as waiting for approval and records it when an update shows it approved', async () => {
    const { actor, po, xeroTenantId, xero } = await received();
    const draft = xero.put(dearerBill(po.number, { Status: 'DRAFT' }));
    await deliver(t.db, [invoiceEvent(xeroTenantId, draft.InvoiceID, 'CREATE')]);
    await drain();
    expect(await bills(actor)).toHaveLength(0);
    expect(await doc(actor, draft.InvoiceID)).toMatchObject({ outcome: 'listed', external_status: 'DRAFT', local_id: null, message: 'DRAFT in Xero: recorded here once it is approved' });

    xero.put({ ...draft, Status: 'AUTHORISED' });
    await deliver(t.db, [invoiceEvent(xeroTenantId, draft.InvoiceID, 'UPDATE')]);
    await drain();
    const [row] = await bills(actor);
    expect(await doc(actor, draft.InvoiceID)).toMatchObject({ outcome: 'recorded', external_status: 'AUTHORISED', local_id: row.id });
  });

  it('waits out a 503 without using an attempt, then records the bill once', async () => {
    const { actor, po, xeroTenantId, xero } = await received();
    const inv = xero.put(dearerBill(po.number));
    xero.script.push({ status: 503, body: { Title: 'Service Unavailable' } });
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);

    await drain();
    const [event] = await eventsFor(inv.InvoiceID);
    // An outage is a wait, not a failure of the event: it keeps all its attempts.
    expect(event).toMatchObject({ status: 'failed', attempts: 0, last_error: 'Xero is unavailable (503)' });
    expect(await doc(actor, inv.InvoiceID)).toBeUndefined();

    await makeDue(inv.InvoiceID);
    await drain();
    expect(await eventsFor(inv.InvoiceID)).toEqual([expect.objectContaining({ status: 'processed', attempts: 1 })]);
    expect(await bills(actor)).toHaveLength(1);
    expect(xero.calls).toHaveLength(2);
  });

  it('marks a bill with an unknown item coded to GRNI as failed, naming the code and line, and records it on Try again once the part exists', async () => {
    const { actor, po, xeroTenantId, xero } = await received();
    const inv = xero.put(xeroBill({ InvoiceNumber: 'AB-8000', Reference: po.number, LineItems: [{ ItemCode: 'BRG-1', Quantity: 10, UnitAmount: 2.5 }, { ItemCode: 'BRG-9', Quantity: 2, UnitAmount: 4 }] }));
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);
    await drain();
    expect(await bills(actor)).toHaveLength(0);
    const failed = await doc(actor, inv.InvoiceID);
    expect(failed).toMatchObject({ outcome: 'failed', message: 'unknown item code BRG-9 on line 2 (coded to GRNI 815): add the part, then try again' });
    expect((await eventsFor(inv.InvoiceID))[0].status).toBe('processed');

    await givenPart(t.db, actor, 'BRG-9');
    await requestRetry(t.db, actor, failed.id);
    await drain();
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ outcome: 'recorded', message: 'line 2: 2 × BRG-9 billed but not received against a purchase order from this supplier' });
    expect(await bills(actor)).toHaveLength(1);
  });

  it('fails a bill recordBill refuses, in Xero\'s line numbers', async () => {
    const { actor, xeroTenantId, xero } = await received();
    const inv = xero.put(xeroBill({ LineItems: [{ Description: 'Heading only', Quantity: 0, UnitAmount: 0 }, { ItemCode: 'BRG-1', Quantity: -2, UnitAmount: 2.5 }] }));
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);
    await drain();
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ outcome: 'failed', message: 'line 2 (BRG-1): Quantity must be greater than zero (got -2)' });
  });

  it('keeps a recorded bill when Xero voids or edits it, and says what a person must do', async () => {
    const { actor, po, xeroTenantId, xero } = await received();
    const inv = xero.put(dearerBill(po.number));
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID, 'CREATE')]);
    await drain();

    xero.put({ ...inv, LineItems: [{ ...inv.LineItems[0], UnitAmount: 3, LineAmount: 30 }] });
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);
    await drain();
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ outcome: 'recorded', message: 'Changed in Xero after it was recorded (line 1: 10 × 2.8 is now 10 × 3): the bill here is as first recorded, correct it by hand' });

    xero.put({ ...inv, Status: 'VOIDED' });
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);
    await drain();
    const [row] = await bills(actor);
    expect(await bills(actor)).toHaveLength(1);
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ outcome: 'recorded', external_status: 'VOIDED', local_id: row.id, message: 'VOIDED in Xero after it was recorded here: the bill and its price difference stay until a person reverses them' });
  });

  it('ignores an older answer from Xero that finishes last, and never turns a recorded bill back into listed', async () => {
    const { actor, po, xeroTenantId, xero } = await received();
    const inv = xero.put(dearerBill(po.number));
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);
    await drain();
    const recorded = await doc(actor, inv.InvoiceID);
    const stale = { kind: 'bill' as const, externalId: inv.InvoiceID, number: 'AB-7731', contactName: 'Acme Bearings', externalStatus: 'DRAFT', outcome: 'listed' as const, message: 'DRAFT in Xero' };
    await saveDocument(t.db, actor.tenantId, { ...stale, externalUpdatedAt: new Date(recorded.external_updated_at.getTime() - 60_000) });
    expect(await doc(actor, inv.InvoiceID)).toEqual(recorded);
    await saveDocument(t.db, actor.tenantId, { ...stale, externalUpdatedAt: new Date(recorded.external_updated_at.getTime() + 60_000) });
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ outcome: 'recorded', local_id: recorded.local_id, external_status: 'DRAFT' });
  });

  it('links a bill already typed in by hand instead of recording it twice', async () => {
    const { actor, po, xeroTenantId, xero } = await received();
    const typed = (await recordBill(t.db, actor, { supplier: 'Acme Bearings', number: 'ab-7731', reference: po.number, date: today(), lines: [{ part: 'BRG-1', quantity: dec(10), unitPrice: dec('2.80') }] })).body;
    const inv = xero.put(dearerBill(po.number));
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);
    await drain();
    expect(await bills(actor)).toHaveLength(1);
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ outcome: 'recorded', local_id: typed.id, message: 'Already recorded here as bill ab-7731: linked, not recorded again' });
  });

  it('records other lines as non-stock, inclusive prices net of tax, under the supplier linked to the Xero contact', async () => {
    const { actor, po, xeroTenantId, xero } = await received();
    const contactId = '4c6e1d0a-7f1b-4a51-9d0c-0b3c1b0f6a11';
    await t.db('suppliers').where({ tenant_id: actor.tenantId, name: 'Acme Bearings' }).update({ external_id: contactId });
    const inv = xero.put(xeroBill({
      InvoiceNumber: 'AB-9', Reference: po.number, Contact: { ContactID: contactId, Name: 'Acme Bearings Ltd' }, LineAmountTypes: 'Inclusive',
      LineItems: [{ ItemCode: 'BRG-1', Quantity: 10, UnitAmount: 3, taxRate: 20 }, { ItemCode: 'FREIGHT', Quantity: 1, UnitAmount: 12, taxRate: 20, AccountCode: '425' }],
    }));
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);
    await drain();
    const [row] = await bills(actor);
    const bill = await billView(t.db, actor.tenantId, row.id);
    expect(bill).toMatchObject({ supplier: 'Acme Bearings', amounts: 'inclusive', revalued: '0.00', variance: '0.00' });
    expect(bill.lines.map((l) => [l.part, l.description, l.quantity, l.unit_price, l.tax_rate, l.account_code])).toEqual([
      ['BRG-1', 'Item BRG-1', '10', '3', '20', '815'],
      [null, 'Item FREIGHT', '1', '12', '20', '425'],
    ]);
    expect(bill.lines[0].matches[0]).toMatchObject({ bill_unit_cost: '2.5' });
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ outcome: 'recorded', message: 'line 2: FREIGHT is not a part here, recorded as a non-stock line' });
  });
});
