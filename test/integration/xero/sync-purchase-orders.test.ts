import { givenOrganisation, givenPart } from '../../support/builders';
import { XeroConnection, xeroConnection } from '../../../server/connectors/xero/connections';
import { pullPurchaseOrders } from '../../../server/connectors/xero/sync/purchase-orders';
import { listWarnings } from '../../../server/connectors/xero/sync/warnings';
import { receiveLine, rejectLine } from '../../../server/services/goods-in/receive';
import { AMOUNTS, taxRate, unitPrice } from '../../../server/connectors/xero/sync/po-input';
import { purchaseOrderView } from '../../../server/services/purchasing/views';
import { Decimal } from '../../../server/domain/decimal';
import { Actor } from '../../../server/services/stock/types';
import { givenXeroConnection, xeroTestFile } from './xero-double';
import { onGet, purchaseOrder, purchaseOrdersResponse, PoSeed } from './sync-fixtures';

const t = xeroTestFile();

type Ctx = { actor: Actor; connection: XeroConnection };
async function connected(): Promise<Ctx> {
  const actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'BRG-6204');
  await givenPart(t.db, actor, 'M8-BOLT');
  await givenXeroConnection(t.db, actor);
  // Connected on a known day, so the fixtures' PO dates stay on the same side of the year-old floor.
  await t.db('accounting_connections').where({ tenant_id: actor.tenantId }).update({ created_at: CONNECTED_AT });
  return { actor, connection: (await xeroConnection(t.db, actor.tenantId))! };
}
const CONNECTED_AT = '2026-11-25T08:00:00Z';

/** One pull answering with these POs (a single page). */
async function pull(c: Ctx, pos: ReturnType<typeof purchaseOrder>[], since?: Date) {
  const get = onGet('/PurchaseOrders', () => [200, purchaseOrdersResponse(pos)]);
  const out = await pullPurchaseOrders(t.deps, c.connection, since);
  return { ...out, seen: get.seen };
}
const ourPo = async (c: Ctx, externalId: string) => {
  const row = await t.db('purchase_orders').where({ tenant_id: c.actor.tenantId, external_id: externalId }).first('id');
  return row ? purchaseOrderView(t.db, c.actor.tenantId, row.id) : null;
};
const receive = (c: Ctx, poId: string, part: string, qty: string) => receiveLine(t.db, c.actor, poId, { part, quantity: new Decimal(qty) });
const reject = (c: Ctx, poId: string, part: string, qty: string) => rejectLine(t.db, c.actor, poId, { part, quantity: new Decimal(qty), reason: 'damaged in transit' });
const acme = { id: '430fa14a-f945-44d3-9f97-5df5e28441b8', name: 'Acme Components Ltd' };
const seed = (s: Partial<PoSeed> = {}): PoSeed => ({
  number: 'PO-0001', contact: acme, expected: '2026-11-20', reference: 'Job 42',
  lines: [{ itemCode: 'BRG-6204', quantity: 10, unitAmount: 4.5 }, { itemCode: 'M8-BOLT', quantity: 200, unitAmount: 0.12 }],
  ...s,
});

describe('pulling purchase orders from Xero', () => {
  it('turns an AUTHORISED PO into an open PO that goods-in receives against, and skips drafts', async () => {
    const c = await connected();
    const po = purchaseOrder(seed());
    const draft = purchaseOrder(seed({ number: 'PO-0002', status: 'DRAFT' }));
    const out = await pull(c, [po, draft]);
    expect(out.outcomes).toEqual({ created: 1, skipped: 1 });

    const view = (await ourPo(c, po.PurchaseOrderID))!;
    expect(view).toMatchObject({
      number: 'PO-0001', status: 'open', supplier: { name: 'Acme Components Ltd' }, order_date: '2026-11-02', expected_date: '2026-11-20',
      currency: 'GBP', currency_rate: '1', amounts: 'exclusive', reference: 'Job 42',
    });
    expect(view.lines.map((l) => [l.part, l.quantity, l.unit_price, l.tax_rate, l.unit_cost, l.account_code])).toEqual([
      ['BRG-6204', '10', '4.5', '20', '4.5', '630'],
      ['M8-BOLT', '200', '0.12', '20', '0.12', '630'],
    ]);
    expect(await t.db('suppliers').where({ tenant_id: c.actor.tenantId }).select('name', 'external_id')).toEqual([{ name: 'Acme Components Ltd', external_id: acme.id }]);
    expect(await ourPo(c, draft.PurchaseOrderID)).toBeNull();

    await receive(c, view.id, 'BRG-6204', '10');
    const journalLines = await t.db('journal_lines').where({ tenant_id: c.actor.tenantId }).orderBy('line_no').select('account_code', 'amount');
    expect(journalLines.map((l) => [l.account_code, new Decimal(l.amount).toFixed()])).toEqual([['630', '45'], ['815', '-45']]);
    expect((await ourPo(c, po.PurchaseOrderID))!.lines[0]).toMatchObject({ received: '10', outstanding: '0' });
  });

  it('pages with If-Modified-Since set to the cursor, until a page has fewer than 100, and returns the newest UpdatedDateUTC', async () => {
    const c = await connected();
    const drafts = Array.from({ length: 99 }, (_, i) => purchaseOrder(seed({ number: `PO-D${i}`, status: 'DRAFT', updated: '2026-11-03T08:00:00Z' })));
    const first = purchaseOrder(seed({ number: 'PO-0100', updated: '2026-11-03T09:00:00Z' }));
    const last = purchaseOrder(seed({ number: 'PO-0101', updated: '2026-11-04T15:30:00Z' }));
    const get = onGet('/PurchaseOrders', (q) => [200, q.page === '1' ? purchaseOrdersResponse([...drafts, first], 1, 101) : purchaseOrdersResponse([last], 2, 101)], 2);
    const since = new Date('2026-11-01T00:00:00Z');
    const progress: [number, number | undefined][] = [];

    const out = await pullPurchaseOrders(t.deps, c.connection, since, async (done, total) => { progress.push([done, total]); });

    expect(get.seen.map((s) => [s.query.page, s.ifModifiedSince])).toEqual([['1', '2026-11-01T00:00:00.000Z'], ['2', '2026-11-01T00:00:00.000Z']]);
    expect(progress).toEqual([[100, 101], [101, 101]]);
    expect(out.cursor).toEqual(new Date('2026-11-04T15:30:00Z'));
    expect(out.outcomes).toEqual({ skipped: 99, created: 2 });
    expect(await t.db('purchase_orders').where({ tenant_id: c.actor.tenantId }).orderBy('number').pluck('number')).toEqual(['PO-0100', 'PO-0101']);
  });

  it('takes tax-inclusive prices and a foreign currency into the base-currency unit cost, after discount', async () => {
    const c = await connected();
    const po = purchaseOrder(seed({ currency: 'USD', rate: 1.25, amounts: 'Inclusive', lines: [{ itemCode: 'BRG-6204', quantity: 4, unitAmount: 12, discountRate: 10 }] }));
    await pull(c, [po]);
    const [line] = (await ourPo(c, po.PurchaseOrderID))!.lines;
    // 12 less 10% = 10.80 incl. 20% tax = 9.00 ex tax, at 1.25 USD per GBP = 7.20 GBP.
    expect(line).toMatchObject({ unit_price: '10.8', tax_rate: '20', unit_cost: '7.2' });
  });

  it('stores a PO without its lines that have no item code, makes a part for an item code it has not seen, and says what it left out', async () => {
    const c = await connected();
    const po = purchaseOrder(seed({ lines: [{ itemCode: 'BRG-6204', quantity: 2, unitAmount: 5 }, { description: 'Carriage', quantity: 1, unitAmount: 15 }, { itemCode: 'NEW-99', quantity: 3, unitAmount: 1 }] }));
    await pull(c, [po]);
    const view = (await ourPo(c, po.PurchaseOrderID))!;
    expect(view.lines.map((l) => [l.part, l.part_name])).toEqual([['BRG-6204', 'Part BRG-6204'], ['NEW-99', 'Item NEW-99']]);
    expect(await listWarnings(t.db, c.connection)).toEqual([
      { code: 'purchase_order', purchaseOrder: 'PO-0001', externalId: po.PurchaseOrderID, message: 'PO-0001: a line without an item code (Carriage) was not taken in' },
    ]);
  });

  it('keeps going past a PO it cannot take in, and shows why on the connection', async () => {
    const c = await connected();
    const bad = purchaseOrder(seed({ number: 'PO-0001', lines: [{ itemCode: 'BRG-6204', quantity: 1.5, unitAmount: 4 }] }));
    const good = purchaseOrder(seed({ number: 'PO-0002' }));
    const out = await pull(c, [bad, good]);
    expect(out.outcomes).toEqual({ problem: 1, created: 1 });
    expect(await ourPo(c, bad.PurchaseOrderID)).toBeNull();
    expect((await ourPo(c, good.PurchaseOrderID))!.status).toBe('open');
    expect(await listWarnings(t.db, c.connection)).toEqual([
      { code: 'purchase_order', purchaseOrder: 'PO-0001', externalId: bad.PurchaseOrderID, message: 'PO-0001: BRG-6204 is counted in whole each; 1.5 × 1 is not a whole number' },
    ]);

    // Fixed in Xero: the next pull takes it in and clears the warning.
    await pull(c, [{ ...bad, LineItems: [{ ...bad.LineItems[0], Quantity: 2, LineAmount: 8, TaxAmount: 1.6 }] }]);
    expect((await ourPo(c, bad.PurchaseOrderID))!.lines[0].quantity).toBe('2');
    expect(await listWarnings(t.db, c.connection)).toEqual([]);
  });

  it('applies a change made in Xero: quantities, prices, a new line and a removed one', async () => {
    const c = await connected();
    await givenPart(t.db, c.actor, 'WASHER-8');
    const po = purchaseOrder(seed());
    await pull(c, [po]);
    const changed = purchaseOrder(seed({ id: po.PurchaseOrderID, expected: '2026-11-27', updated: '2026-11-05T10:00:00Z', lines: [{ itemCode: 'BRG-6204', quantity: 12, unitAmount: 4.75 }, { itemCode: 'WASHER-8', quantity: 500, unitAmount: 0.02 }] }));
    const out = await pull(c, [changed]);
    expect(out.outcomes).toEqual({ updated: 1 });
    const view = (await ourPo(c, po.PurchaseOrderID))!;
    expect(view.expected_date).toBe('2026-11-27');
    expect(view.lines.map((l) => [l.line_no, l.part, l.quantity, l.unit_price, l.unit_cost])).toEqual([[1, 'BRG-6204', '12', '4.75', '4.75'], [3, 'WASHER-8', '500', '0.02', '0.02']]);
    expect(await listWarnings(t.db, c.connection)).toEqual([]);
  });

  it('never cuts a line below what goods-in received: the line keeps its quantity and the PO shows the problem', async () => {
    const c = await connected();
    const po = purchaseOrder(seed());
    await pull(c, [po]);
    const ours = (await ourPo(c, po.PurchaseOrderID))!;
    await receive(c, ours.id, 'BRG-6204', '8');
    const cut = purchaseOrder(seed({ id: po.PurchaseOrderID, lines: [{ itemCode: 'BRG-6204', quantity: 5, unitAmount: 4.5 }, { itemCode: 'M8-BOLT', quantity: 250, unitAmount: 0.1 }] }));
    await pull(c, [cut]);
    const view = (await ourPo(c, po.PurchaseOrderID))!;
    expect(view.lines.map((l) => [l.part, l.ordered, l.received, l.unit_price])).toEqual([['BRG-6204', '10', '8', '4.5'], ['M8-BOLT', '250', '0', '0.1']]);
    expect((await listWarnings(t.db, c.connection))[0].message).toBe('PO-0001: BRG-6204: Xero now orders 5 but 8 each were already received; the line keeps 10');

    // Receiving the rest settles the PO, and its warning goes at the next pull.
    await receive(c, ours.id, 'BRG-6204', '2');
    await receive(c, ours.id, 'M8-BOLT', '250');
    await pull(c, []);
    expect(await listWarnings(t.db, c.connection)).toEqual([]);
  });

  it('reopens a received PO for goods-in when Xero orders more', async () => {
    const c = await connected();
    const po = purchaseOrder(seed({ lines: [{ itemCode: 'BRG-6204', quantity: 2, unitAmount: 4 }] }));
    await pull(c, [po]);
    const ours = (await ourPo(c, po.PurchaseOrderID))!;
    await receive(c, ours.id, 'BRG-6204', '2');
    expect((await ourPo(c, po.PurchaseOrderID))!.status).toBe('received');
    await pull(c, [purchaseOrder(seed({ id: po.PurchaseOrderID, lines: [{ itemCode: 'BRG-6204', quantity: 5, unitAmount: 4 }] }))]);
    const view = (await ourPo(c, po.PurchaseOrderID))!;
    expect(view).toMatchObject({ status: 'open', lines: [expect.objectContaining({ ordered: '5', received: '2', outstanding: '3' })] });
  });

  it('cancels a PO deleted in Xero when nothing was received, and shows a problem instead when goods were', async () => {
    const c = await connected();
    const untouched = purchaseOrder(seed({ number: 'PO-0001' }));
    const begun = purchaseOrder(seed({ number: 'PO-0002' }));
    await pull(c, [untouched, begun]);
    await receive(c, (await ourPo(c, begun.PurchaseOrderID))!.id, 'M8-BOLT', '50');

    const out = await pull(c, [{ ...untouched, Status: 'DELETED' }, { ...begun, Status: 'DELETED' }]);

    expect(out.outcomes).toEqual({ cancelled: 1, problem: 1 });
    expect((await ourPo(c, untouched.PurchaseOrderID))!.status).toBe('cancelled');
    expect((await ourPo(c, begun.PurchaseOrderID))!.status).toBe('open');
    expect(await listWarnings(t.db, c.connection)).toEqual([
      expect.objectContaining({ code: 'purchase_order', purchaseOrder: 'PO-0002', message: expect.stringContaining('was deleted in Xero but goods were already received against it here') }),
    ]);
  });

  it('keeps a PO it already has receivable when it is billed in Xero, marked as billed until its goods are in', async () => {
    const c = await connected();
    const po = purchaseOrder(seed({ lines: [{ itemCode: 'BRG-6204', quantity: 1, unitAmount: 4 }] }));
    await pull(c, [po]);
    expect((await pull(c, [{ ...po, Status: 'BILLED' }])).outcomes).toEqual({ updated: 1 });
    const ours = (await ourPo(c, po.PurchaseOrderID))!;
    expect(ours.status).toBe('open');
    expect(await listWarnings(t.db, c.connection)).toEqual([expect.objectContaining({ code: 'purchase_order_billed', purchaseOrder: 'PO-0001' })]);
    await receive(c, ours.id, 'BRG-6204', '1');
    await pull(c, []);
    expect(await listWarnings(t.db, c.connection)).toEqual([]);
  });

  it('leaves out a PO already BILLED when first seen (billed before Perpetua knew of it), naming it once in a note', async () => {
    const c = await connected();
    const billed = purchaseOrder(seed({ number: 'PO-0001', status: 'BILLED' }));
    const also = purchaseOrder(seed({ number: 'PO-0002', status: 'BILLED' }));
    const out = await pull(c, [billed, purchaseOrder(seed({ number: 'PO-0003' }))]);
    expect(out.outcomes).toEqual({ already_billed: 1, created: 1 });
    expect(await ourPo(c, billed.PurchaseOrderID)).toBeNull();

    // Seen again (changed in Xero, or inside the cursor's overlap): named once still.
    await pull(c, [billed, also]);
    expect(await ourPo(c, also.PurchaseOrderID)).toBeNull();
    expect(await listWarnings(t.db, c.connection)).toEqual([{
      code: 'purchase_orders_left_out', reason: 'billed', purchaseOrders: ['PO-0001', 'PO-0002'], more: false,
      message: 'Purchase orders already billed in Xero when Perpetua first saw them are not taken in: their goods came before Perpetua knew of them, so there is nothing to receive (PO-0001, PO-0002)',
    }]);
    expect(await t.db('purchase_orders').where({ tenant_id: c.actor.tenantId }).pluck('number')).toEqual(['PO-0003']);
  });

  it('leaves out a new SUBMITTED or AUTHORISED PO dated more than a year before the connection, and follows one it already has whatever its date', async () => {
    const c = await connected();
    const old = purchaseOrder(seed({ number: 'PO-0001', status: 'SUBMITTED', date: '2025-11-24' }));
    const yearOld = purchaseOrder(seed({ number: 'PO-0002', date: '2025-11-25' }));
    const out = await pull(c, [old, yearOld]);
    expect(out.outcomes).toEqual({ too_old: 1, created: 1 });
    expect(await ourPo(c, old.PurchaseOrderID)).toBeNull();
    expect((await ourPo(c, yearOld.PurchaseOrderID))!.status).toBe('open');
    expect(await listWarnings(t.db, c.connection)).toEqual([expect.objectContaining({
      code: 'purchase_orders_left_out', reason: 'old', purchaseOrders: ['PO-0001'],
      message: 'Purchase orders dated before 2025-11-25 (over a year before Xero was connected) are not taken in as orders to receive: PO-0001. Enter one in Perpetua by hand if its goods are still due',
    })]);

    // Ours already: a change in Xero is applied, though it now dates the PO further back.
    const redated = purchaseOrder(seed({ id: yearOld.PurchaseOrderID, number: 'PO-0002', date: '2025-01-10', lines: [{ itemCode: 'BRG-6204', quantity: 12, unitAmount: 4.5 }] }));
    expect((await pull(c, [redated])).outcomes).toEqual({ updated: 1 });
    expect((await ourPo(c, yearOld.PurchaseOrderID))!).toMatchObject({ order_date: '2025-01-10', lines: [expect.objectContaining({ part: 'BRG-6204', quantity: '12' })] });
  });

  it('cuts a line removed in Xero to what was received and rejected, so only replacements for rejected goods are still expected', async () => {
    const c = await connected();
    const po = purchaseOrder(seed({ lines: [{ itemCode: 'BRG-6204', quantity: 10, unitAmount: 4.5 }, { itemCode: 'M8-BOLT', quantity: 200, unitAmount: 0.12 }, { itemCode: 'WASHER-8', quantity: 50, unitAmount: 0.02 }] }));
    await givenPart(t.db, c.actor, 'WASHER-8');
    await pull(c, [po]);
    const ours = (await ourPo(c, po.PurchaseOrderID))!;
    await reject(c, ours.id, 'BRG-6204', '3');
    await receive(c, ours.id, 'M8-BOLT', '150');
    await reject(c, ours.id, 'M8-BOLT', '20');

    await pull(c, [purchaseOrder(seed({ id: po.PurchaseOrderID, lines: [{ itemCode: 'WASHER-8', quantity: 50, unitAmount: 0.02 }] }))]);

    const view = (await ourPo(c, po.PurchaseOrderID))!;
    expect(view.lines.map((l) => [l.part, l.ordered, l.received, l.rejected, l.outstanding])).toEqual([
      ['BRG-6204', '3', '0', '3', '3'],
      ['M8-BOLT', '170', '150', '20', '20'],
      ['WASHER-8', '50', '0', '0', '50'],
    ]);
    expect((await listWarnings(t.db, c.connection))[0].message).toBe('PO-0001: line 1 was removed in Xero but goods were already received or rejected against it; it stays, expecting only 3 to replace what was rejected; '
      + 'line 2 was removed in Xero but goods were already received or rejected against it; it stays, expecting only 20 to replace what was rejected');
  });

  it('cuts a line removed in Xero to what was received when nothing was rejected, and the PO is then received', async () => {
    const c = await connected();
    const po = purchaseOrder(seed());
    await pull(c, [po]);
    const ours = (await ourPo(c, po.PurchaseOrderID))!;
    await receive(c, ours.id, 'BRG-6204', '6');
    await receive(c, ours.id, 'M8-BOLT', '200');
    await pull(c, [purchaseOrder(seed({ id: po.PurchaseOrderID, lines: [{ itemCode: 'M8-BOLT', quantity: 200, unitAmount: 0.12 }] }))]);
    const view = (await ourPo(c, po.PurchaseOrderID))!;
    expect(view).toMatchObject({ status: 'received', lines: [expect.objectContaining({ part: 'BRG-6204', ordered: '6', outstanding: '0' }), expect.objectContaining({ part: 'M8-BOLT' })] });
  });
});

describe("Xero line figures, the rules the invoice pulls share", () => {
  const d = (v: string) => new Decimal(v);
  it('reads LineAmountTypes', () => {
    expect(AMOUNTS).toEqual({ Exclusive: 'exclusive', Inclusive: 'inclusive', NoTax: 'no_tax' });
  });

  it('takes the unit price as UnitAmount less DiscountRate, or less DiscountAmount spread over the quantity', () => {
    expect(unitPrice({ unitAmount: 12 }, d('4')).toFixed()).toBe('12');
    expect(unitPrice({ unitAmount: 12, discountRate: 10 }, d('4')).toFixed()).toBe('10.8');
    expect(unitPrice({ unitAmount: 12, discountAmount: 6 }, d('4')).toFixed()).toBe('10.5');
    expect(unitPrice({ unitAmount: 12, discountRate: 10, discountAmount: 6 }, d('4')).toFixed()).toBe('10.8');
    expect(unitPrice({ unitAmount: 10, discountAmount: 1 }, d('3')).toFixed()).toBe('9.6666666667');
  });

  it('works the tax rate out from TaxAmount over the amount before tax', () => {
    expect(taxRate({ lineAmount: 100, taxAmount: 20 }, 'exclusive').toFixed()).toBe('20');
    expect(taxRate({ lineAmount: 120, taxAmount: 20 }, 'inclusive').toFixed()).toBe('20');
    expect(taxRate({ lineAmount: 100, taxAmount: 20 }, 'no_tax').toFixed()).toBe('0');
    expect(taxRate({ lineAmount: 30, taxAmount: 1.5 }, 'exclusive').toFixed()).toBe('5');
    expect(taxRate({ lineAmount: 0, taxAmount: 0 }, 'exclusive').toFixed()).toBe('0');
  });
});
