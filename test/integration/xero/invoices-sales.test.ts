import nock from 'nock';
import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { expectReconciled, onHand } from '../../support/ledger-checks';
import { givenStock } from '../jobs/helpers';
import { dec } from '../../../server/domain/decimal';
import { requestDispatch, requestRetry, setSalesInvoiceDispatch, xeroDocuments } from '../../../server/connectors/xero/invoices';
import { Actor } from '../../../server/services/stock/types';
import { givenXeroConnection } from './xero-double';
import { deliver, drainInvoiceEvents, invoiceEvent, xeroInvoices, xeroSalesInvoice } from './invoice-fixtures';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });
afterEach(() => { nock.cleanAll(); });

const drain = () => drainInvoiceEvents(t.db);
const dispatches = (actor: Actor) => t.db('dispatches').where({ tenant_id: actor.tenantId });
const doc = (actor: Actor, externalId: string) => t.db('external_documents').where({ tenant_id: actor.tenantId, external_id: externalId }).first();
const journalOf = async (actor: Actor, eventId: string) => (await t.db('journal_lines as l').join('journals as j', (q) => q.on('j.id', 'l.journal_id').andOn('j.tenant_id', 'l.tenant_id'))
  .where({ 'j.tenant_id': actor.tenantId, 'j.event_id': eventId }).orderBy('l.line_no').select('l.account_role', 'l.amount')).map((r) => [r.account_role, dec(r.amount).toFixed()]);

/** Gearboxes (made, finished goods) in stock: 5 at 120.00; a serial-tracked pump; Xero connected. */
async function finishedGoods(mode: 'off' | 'auto') {
  const actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'GBX-200', { source: 'made' });
  await givenPart(t.db, actor, 'PUMP', { source: 'made', tracking: 'serial' });
  await givenPart(t.db, actor, 'BRG-1');
  await givenStock(t.db, actor, [['GBX-200', 5, '120.00'], ['PUMP', 1, '300.00', ['P-1']], ['BRG-1', 10, '2.50']]);
  const { xeroTenantId } = await givenXeroConnection(t.db, actor);
  await setSalesInvoiceDispatch(t.db, actor.tenantId, mode);
  return { actor, xeroTenantId, xero: xeroInvoices() };
}

const gearboxInvoice = (extra: Partial<Parameters<typeof xeroSalesInvoice>[0]> = {}) => xeroSalesInvoice({
  InvoiceNumber: 'INV-0042', LineItems: [{ ItemCode: 'GBX-200', Quantity: 2, UnitAmount: 450, taxRate: 20, AccountCode: '200' }, { ItemCode: 'INSTALL', Quantity: 1, UnitAmount: 80, AccountCode: '200' }], ...extra,
});

describe('a Xero sales invoice from an INVOICE webhook', () => {
  it('dispatches the finished goods once with automatic dispatch on: Dr cost of goods sold, Cr finished goods', async () => {
    const { actor, xeroTenantId, xero } = await finishedGoods('auto');
    const inv = xero.put(gearboxInvoice());
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID, 'CREATE'), invoiceEvent(xeroTenantId, inv.InvoiceID, 'UPDATE')]);
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID, 'UPDATE')]);

    await Promise.all([drain(), drain()]);

    const [d] = await dispatches(actor);
    expect(await dispatches(actor)).toHaveLength(1);
    expect(d).toMatchObject({ customer: 'Brightwater Farms', reference: 'INV-0042' });
    const lines = await t.db('dispatch_lines').where({ tenant_id: actor.tenantId });
    expect(lines.map((l) => [dec(l.quantity).toFixed(), dec(l.unit_price).toFixed(), dec(l.cost).toFixed()])).toEqual([['2', '450', '240']]);
    expect(await journalOf(actor, d.event_id)).toEqual([['cogs', '240'], ['finished_goods', '-240']]);
    expect(await onHand(t.db, actor, 'GBX-200')).toBe('3');
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ kind: 'sales_invoice', outcome: 'dispatched', local_id: d.id, message: `Dispatched as ${d.number}; line 2: INSTALL is not a part here, not dispatched` });
    await expectReconciled(t.db, actor);
  });

  it('lists an approved invoice when automatic dispatch is off, and dispatches it once when a person asks', async () => {
    const { actor, xeroTenantId, xero } = await finishedGoods('off');
    const inv = xero.put(gearboxInvoice({ Status: 'PAID' }));
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);
    await drain();
    const listed = await doc(actor, inv.InvoiceID);
    expect(listed).toMatchObject({ outcome: 'listed', message: 'Ready to dispatch: press Dispatch, or turn on automatic dispatch; line 2: INSTALL is not a part here, not dispatched' });
    expect(await dispatches(actor)).toHaveLength(0);

    const asked = await requestDispatch(t.db, actor, listed.id);
    expect(asked).toMatchObject({ outcome: 'listed', pending: 'DISPATCH' });
    await requestDispatch(t.db, actor, listed.id); // pressed twice
    expect(await t.db('webhook_events').where({ resource_id: inv.InvoiceID, type: 'DISPATCH' })).toHaveLength(1);
    await drain();

    const [d] = await dispatches(actor);
    expect(await dispatches(actor)).toHaveLength(1);
    expect(d.user_id).toBe(actor.userId);
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ outcome: 'dispatched', local_id: d.id });
    const page = await xeroDocuments(t.db, actor.tenantId);
    expect(page.salesInvoiceDispatch).toBe('off');
    expect(page.documents[0]).toMatchObject({ outcome: 'dispatched', localNumber: d.number, link: `/dispatches/${d.number}`, pending: null });
    await expect(requestDispatch(t.db, actor, listed.id)).rejects.toThrow(/is dispatched: only a listed or failed one can be dispatched/);
  });

  it('lists an invoice for a serial-tracked part for a person, even with automatic dispatch on', async () => {
    const { actor, xeroTenantId, xero } = await finishedGoods('auto');
    const inv = xero.put(xeroSalesInvoice({ LineItems: [{ ItemCode: 'PUMP', Quantity: 1, UnitAmount: 900 }] }));
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);
    await drain();
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ outcome: 'listed', message: 'line 1: PUMP is serial-tracked: dispatch it from Dispatches with its serial numbers' });
    expect(await dispatches(actor)).toHaveLength(0);
  });

  it('fails when there is not enough stock, naming the part, and dispatches on Try again once it is made', async () => {
    const { actor, xeroTenantId, xero } = await finishedGoods('auto');
    const inv = xero.put(xeroSalesInvoice({ LineItems: [{ ItemCode: 'GBX-200', Quantity: 7, UnitAmount: 450 }] }));
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);
    await drain();
    const failed = await doc(actor, inv.InvoiceID);
    expect(failed.outcome).toBe('failed');
    expect(failed.message).toMatch(/^line 1 \(GBX-200\): Not enough GBX-200 at MAIN: on hand 5, requested 7, short by 2/);
    expect(await dispatches(actor)).toHaveLength(0);

    await givenStock(t.db, actor, [['GBX-200', 2, '120.00']]);
    await requestRetry(t.db, actor, failed.id);
    await drain();
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ outcome: 'dispatched' });
    expect(await onHand(t.db, actor, 'GBX-200')).toBe('0');
  });

  it('skips invoices with no finished goods and drafts wait for approval', async () => {
    const { actor, xeroTenantId, xero } = await finishedGoods('auto');
    const services = xero.put(xeroSalesInvoice({ LineItems: [{ ItemCode: 'BRG-1', Quantity: 1, UnitAmount: 5 }, { Description: 'Call-out', Quantity: 1, UnitAmount: 60 }] }));
    const draft = xero.put(gearboxInvoice({ Status: 'DRAFT' }));
    await deliver(t.db, [invoiceEvent(xeroTenantId, services.InvoiceID), invoiceEvent(xeroTenantId, draft.InvoiceID)]);
    await drain();
    expect(await doc(actor, services.InvoiceID)).toMatchObject({ outcome: 'skipped', message: 'No finished goods on this invoice: nothing to dispatch; line 1: BRG-1 is not a finished good, not dispatched' });
    expect(await doc(actor, draft.InvoiceID)).toMatchObject({ outcome: 'listed', message: 'DRAFT in Xero: can be dispatched once it is approved' });
    expect(await dispatches(actor)).toHaveLength(0);
  });

  it('keeps a dispatch when Xero voids the invoice afterwards, and says a person must reverse it', async () => {
    const { actor, xeroTenantId, xero } = await finishedGoods('auto');
    const inv = xero.put(gearboxInvoice());
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);
    await drain();
    xero.put({ ...inv, Status: 'VOIDED' });
    await deliver(t.db, [invoiceEvent(xeroTenantId, inv.InvoiceID)]);
    await drain();
    expect(await dispatches(actor)).toHaveLength(1);
    expect(await doc(actor, inv.InvoiceID)).toMatchObject({ outcome: 'dispatched', external_status: 'VOIDED', message: 'VOIDED in Xero after the goods were dispatched: the dispatch stays until a person reverses it' });
  });
});
