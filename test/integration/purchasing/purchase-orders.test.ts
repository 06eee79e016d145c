import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { expectReconciled, line, countRows } from '../../support/ledger-checks';
import { dec } from '../../../server/domain/decimal';
import { today } from '../../../server/clock';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { createPurchaseOrder, setPurchaseOrderStatus } from '../../../server/services/purchasing/create-po';
import { listPurchaseOrders, findByScan, purchaseOrderView } from '../../../server/services/purchasing/views';
import { listSuppliers } from '../../../server/services/purchasing/suppliers';
import { stockPositions } from '../../../server/services/purchasing/positions';
import { receiveLine } from '../../../server/services/goods-in/receive';
import { Conflict, Invalid, NotFound } from '../../../server/errors';
import { Actor } from '../../../server/services/stock/types';
import { PoInput } from '../../../server/services/purchasing/types';
import { givenPo, refusedCleanly, claim, outcomes } from '../goods-in/helpers';

jest.setTimeout(120_000);

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const basic = (extra: Partial<PoInput> = {}): PoInput => ({ supplier: 'Acme', location: 'MAIN', lines: [{ part: 'PO-P1', quantity: dec(10), unitPrice: dec('2.5') }], ...extra });

async function givenOrgWithPart(): Promise<Actor> {
  const actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'PO-P1', { barcode: '0001112223334' });
  await givenPart(t.db, actor, 'PO-KG', { fractional: true, unit: 'kg' });
  return actor;
}

describe('creating a purchase order', () => {
  it('numbers POs, creates the supplier on first use and reuses it whatever its case', async () => {
    const actor = await givenOrgWithPart();
    const a = (await createPurchaseOrder(t.db, actor, basic())).body;
    const b = (await createPurchaseOrder(t.db, actor, basic({ supplier: ' ACME ' }))).body;
    const c = (await createPurchaseOrder(t.db, actor, basic({ number: 'SUP/2026-11#7', supplier: 'Bolt Bros' }))).body;
    const d = (await createPurchaseOrder(t.db, actor, basic())).body;
    expect([a.number, b.number, c.number, d.number]).toEqual(['PO-00001', 'PO-00002', 'SUP/2026-11#7', 'PO-00003']);
    expect(b.supplier.id).toBe(a.supplier.id);
    expect((await listSuppliers(t.db, actor.tenantId)).map((s) => [s.name, s.currency])).toEqual([['Acme', 'GBP'], ['Bolt Bros', 'GBP']]);
    expect(a).toMatchObject({ status: 'open', currency: 'GBP', currency_rate: '1', amounts: 'exclusive', location: 'MAIN', order_date: today(), expected_date: null, flagged_value: '0.00' });
    expect(a.lines[0]).toMatchObject({
      line_no: 1, part: 'PO-P1', description: 'Part PO-P1', quantity: '10', purchase_unit: 'each', units_per_purchase_unit: '1', unit_price: '2.5', tax_rate: '0',
      unit_cost: '2.5', ordered: '10', received: '0', rejected: '0', billed: '0', outstanding: '10', flag: null,
    });
    // A number that exists already is refused, naming the number.
    const err = await refusedCleanly(t.db, actor, () => createPurchaseOrder(t.db, actor, basic({ number: 'PO-00002' })));
    expect(err).toBeInstanceOf(Conflict);
    expect(err.fields).toEqual([{ field: 'number', message: 'Purchase order PO-00002 already exists' }]);
  });

  it('keeps numbering when a PO was given a huge PO- number of its own', async () => {
    const actor = await givenOrgWithPart();
    await createPurchaseOrder(t.db, actor, basic({ number: 'PO-00007' }));
    await createPurchaseOrder(t.db, actor, basic({ number: 'PO-99999999999999999999' }));
    const next = (await createPurchaseOrder(t.db, actor, basic())).body;
    expect(next.number).toBe('PO-00008');
  });

  it('defaults the location to the first by code', async () => {
    const actor = await givenOrgWithPart();
    const po = (await createPurchaseOrder(t.db, actor, basic({ location: undefined }))).body;
    expect(po.location).toBe('B');
  });

  it('stores purchase units, tax-inclusive prices and a foreign currency, costing each stock unit in the base currency', async () => {
    const actor = await givenOrgWithPart();
    const po = (await createPurchaseOrder(t.db, actor, {
      supplier: 'Euro Parts GmbH', location: 'MAIN', currency: 'eur', currencyRate: dec('1.15'), amounts: 'inclusive', reference: 'Q-17', expectedDate: '2026-12-01',
      lines: [
        { part: 'PO-P1', quantity: dec(3), purchaseUnit: 'box', unitsPerPurchaseUnit: dec(10), unitPrice: dec('138'), taxRate: dec(20), accountCode: '630', description: 'Box of 10' },
        { part: 'PO-KG', quantity: dec('2.5'), unitPrice: dec('11.5'), taxRate: dec(0) },
      ],
    })).body;
    expect(po).toMatchObject({ currency: 'EUR', currency_rate: '1.15', amounts: 'inclusive', reference: 'Q-17', expected_date: '2026-12-01' });
    expect(po.lines.map((l) => [l.quantity, l.purchase_unit, l.units_per_purchase_unit, l.unit_price, l.tax_rate, l.account_code, l.description, l.ordered, l.unit_cost])).toEqual([
      ['3', 'box', '10', '138', '20', '630', 'Box of 10', '30', '10'],
      ['2.5', 'kg', '1', '11.5', '0', '', 'Part PO-KG', '2.5', '10'],
    ]);
    expect((await listSuppliers(t.db, actor.tenantId)).map((s) => s.currency)).toEqual(['EUR']);
  });

  it('reports every problem at once, each at its field, and writes nothing (not even the supplier)', async () => {
    const actor = await givenOrgWithPart();
    const err = await refusedCleanly(t.db, actor, () => createPurchaseOrder(t.db, actor, {
      supplier: ' ', location: 'NOWHERE', number: 'bad number!', orderDate: '2026-13-01', currency: 'EURO',
      lines: [
        { part: 'NO-SUCH', quantity: dec(1), unitPrice: dec(1) },
        { part: 'PO-P1', quantity: dec(0), unitPrice: dec(-1), taxRate: dec(101) },
        { part: 'PO-P1', quantity: dec('0.25'), unitsPerPurchaseUnit: dec(10), unitPrice: dec('0.00000000001') },
        { part: 'PO-KG', quantity: dec('0.0000001'), unitsPerPurchaseUnit: dec(0), unitPrice: dec(1) },
      ],
    }));
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([
      { field: 'supplier', message: 'Supplier is required' },
      { field: 'number', message: 'PO number must be 1 to 40 letters, digits or . / # - _' },
      { field: 'order_date', message: '2026-13-01 is not a date like 2026-11-25' },
      { field: 'currency', message: 'EURO is not a three-letter currency code' },
      { field: 'location', message: 'Unknown location NOWHERE' },
      { field: 'lines.0.part', message: 'Unknown part NO-SUCH' },
      { field: 'lines.1.quantity', message: 'Quantity of PO-P1 must be greater than zero (got 0)' },
      { field: 'lines.1.unit_price', message: 'Unit price of PO-P1 must not be negative' },
      { field: 'lines.1.tax_rate', message: 'Tax rate of PO-P1 must be a percentage from 0 to 100, with at most 4 decimal places' },
      { field: 'lines.2.quantity', message: 'PO-P1 is counted in whole each; 0.25 × 10 is not a whole number' },
      { field: 'lines.2.unit_price', message: 'Unit price of PO-P1 has too many decimal places (at most 10)' },
      { field: 'lines.3.quantity', message: 'Quantity of PO-KG has too many decimal places (at most 6)' },
      { field: 'lines.3.units_per_purchase_unit', message: 'Units per purchase unit of PO-KG must be a positive number (got 0)' },
    ]);
    expect(await countRows(t.db, actor, 'suppliers')).toBe(0);
    expect(await countRows(t.db, actor, 'purchase_orders')).toBe(0);
  });

  test.each([
    ['a foreign currency without its rate', { currency: 'EUR' }, { field: 'currency_rate', message: 'A PO in EUR needs its rate: EUR per 1 GBP' }],
    ['a zero rate', { currency: 'EUR', currencyRate: dec(0) }, { field: 'currency_rate', message: 'Currency rate must be greater than zero' }],
    ['a negative rate', { currency: 'USD', currencyRate: dec('-1.2') }, { field: 'currency_rate', message: 'Currency rate must be greater than zero' }],
    ['a base-currency PO at a rate other than 1', { currency: 'GBP', currencyRate: dec('1.1') }, { field: 'currency_rate', message: 'A PO in the base currency (GBP) has rate 1' }],
    ['no lines', { lines: [] }, { field: 'lines', message: 'Give at least one line' }],
    ['a bad expected date', { expectedDate: 'tomorrow' }, { field: 'expected_date', message: 'tomorrow is not a date like 2026-11-25' }],
  ])('refuses %s', async (_l, extra, problem) => {
    const actor = await givenOrgWithPart();
    const err = await refusedCleanly(t.db, actor, () => createPurchaseOrder(t.db, actor, basic(extra as Partial<PoInput>)));
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([problem]);
  });

  it('replays a repeated create with the same idempotency key', async () => {
    const actor = await givenOrgWithPart();
    const input = basic();
    const a = await createPurchaseOrder(t.db, actor, input, claim('po-1', input));
    const b = await createPurchaseOrder(t.db, actor, input, claim('po-1', input));
    expect(b.replayed).toBe(true);
    expect(b.body.id).toBe(a.body.id);
    expect(await countRows(t.db, actor, 'purchase_orders')).toBe(1);
  });

  it('numbers POs created at the same moment without a clash', async () => {
    const actor = await givenOrgWithPart();
    const settled = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => createPurchaseOrder(t.db, actor, basic({ supplier: i % 2 ? 'Acme' : 'New Supplier Ltd' }))));
    const { fulfilled, rejected } = outcomes(settled);
    expect(rejected).toEqual([]);
    expect(fulfilled.map((f) => f.body.number).sort()).toEqual(['PO-00001', 'PO-00002', 'PO-00003', 'PO-00004', 'PO-00005', 'PO-00006', 'PO-00007', 'PO-00008']);
    expect((await listSuppliers(t.db, actor.tenantId)).map((s) => s.name)).toEqual(['Acme', 'New Supplier Ltd']);
  });
});

describe('buying less: flagged when free stock already covers a line', () => {
  it('flags a line that stock on hand covers, with its value', async () => {
    const actor = await givenOrgWithPart();
    await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: today(), lines: [line('PO-P1', 'B', '20', '1')] });
    const po = (await createPurchaseOrder(t.db, actor, {
      supplier: 'Acme', location: 'MAIN',
      lines: [{ part: 'PO-P1', quantity: dec(5), unitPrice: dec('2.5') }, { part: 'PO-P1', quantity: dec(2), unitsPerPurchaseUnit: dec(10), unitPrice: dec('10') }, { part: 'PO-KG', quantity: dec(1), unitPrice: dec(3) }],
    })).body;
    // 5 and 20 are covered by the 20 on hand (across locations); the kilo part has nothing.
    expect(po.lines.map((l) => l.flag)).toEqual([{ free_stock: '20', value: '12.50' }, { free_stock: '20', value: '20.00' }, null]);
    expect(po.flagged_value).toBe('32.50');
    // Now 20 on hand and 25 on order: 45 is covered, 46 is not.
    const covered = (await createPurchaseOrder(t.db, actor, basic({ status: 'draft', lines: [{ part: 'PO-P1', quantity: dec(45), unitPrice: dec(1) }] }))).body;
    expect(covered.lines[0].flag).toEqual({ free_stock: '45', value: '45.00' });
    const big = (await createPurchaseOrder(t.db, actor, basic({ lines: [{ part: 'PO-P1', quantity: dec(46), unitPrice: dec(1) }] }))).body;
    expect(big.lines[0].flag).toBeNull();
    await expectReconciled(t.db, actor);
  });

  it('counts open POs as on order, but not drafts, closed or received ones; values in the base currency', async () => {
    const actor = await givenOrgWithPart();
    const draft = (await createPurchaseOrder(t.db, actor, basic({ status: 'draft' }))).body;
    expect(draft.lines[0].flag).toBeNull();
    const open = (await createPurchaseOrder(t.db, actor, basic())).body; // 10 on order
    expect(open.lines[0].flag).toBeNull(); // the draft is not on order
    const eur = (await createPurchaseOrder(t.db, actor, basic({ currency: 'EUR', currencyRate: dec('1.25'), lines: [{ part: 'PO-P1', quantity: dec(10), unitPrice: dec('2.5') }] }))).body;
    expect(eur.lines[0].flag).toEqual({ free_stock: '10', value: '20.00' });
    const positions = await stockPositions(t.db, actor.tenantId, [open.lines[0].part_id]);
    expect(positions.get(open.lines[0].part_id)!.onOrder.toFixed()).toBe('20');
    await setPurchaseOrderStatus(t.db, actor, eur.id, 'closed');
    await setPurchaseOrderStatus(t.db, actor, open.id, 'closed');
    const after = (await createPurchaseOrder(t.db, actor, basic())).body;
    expect(after.lines[0].flag).toBeNull();
  });
});

describe('status changes', () => {
  it('approves a draft, closes, reopens, and cancels only what nothing was received against', async () => {
    const actor = await givenOrgWithPart();
    const po = (await createPurchaseOrder(t.db, actor, basic({ status: 'draft' }))).body;
    expect(await listPurchaseOrders(t.db, actor.tenantId)).toEqual([]);
    expect((await setPurchaseOrderStatus(t.db, actor, po.id, 'open')).status).toBe('open');
    expect((await listPurchaseOrders(t.db, actor.tenantId)).map((p) => p.id)).toEqual([po.id]);
    await receiveLine(t.db, actor, po.id, { part: 'PO-P1', quantity: dec(4) });
    expect((await setPurchaseOrderStatus(t.db, actor, po.id, 'closed')).status).toBe('closed');
    expect(await listPurchaseOrders(t.db, actor.tenantId)).toEqual([]);
    expect((await listPurchaseOrders(t.db, actor.tenantId, { status: 'closed' })).map((p) => p.id)).toEqual([po.id]);
    const err = await refusedCleanly(t.db, actor, () => setPurchaseOrderStatus(t.db, actor, po.id, 'cancelled'));
    expect(err).toBeInstanceOf(Conflict);
    expect(err.message).toBe(`Purchase order ${po.number} is closed; it cannot become cancelled`);
    expect((await setPurchaseOrderStatus(t.db, actor, po.id, 'open')).status).toBe('open');
    const err2 = await refusedCleanly(t.db, actor, () => setPurchaseOrderStatus(t.db, actor, po.id, 'cancelled'));
    expect(err2.message).toBe(`Purchase order ${po.number} has received goods; it can be closed, not cancelled`);
    const err3 = await refusedCleanly(t.db, actor, () => setPurchaseOrderStatus(t.db, actor, po.id, 'draft'));
    expect(err3.message).toBe(`Purchase order ${po.number} has received goods; it can be closed, not made a draft again`);
    // Same status: nothing to do.
    expect((await setPurchaseOrderStatus(t.db, actor, po.id, 'open')).status).toBe('open');

    const other = (await createPurchaseOrder(t.db, actor, basic())).body;
    expect((await setPurchaseOrderStatus(t.db, actor, other.id, 'cancelled')).status).toBe('cancelled');
    for (const s of ['open', 'draft', 'closed'] as const) {
      const e = await refusedCleanly(t.db, actor, () => setPurchaseOrderStatus(t.db, actor, other.id, s));
      expect(e.message).toBe(`Purchase order ${other.number} is cancelled; it cannot become ${s}`);
    }
  });

  it('reopens a PO received in full so that more can be received, and a closed complete PO goes back to received', async () => {
    const actor = await givenOrgWithPart();
    const po = await givenPo(t.db, actor, [{ part: 'PO-P1', qty: 2, price: 1 }]);
    await receiveLine(t.db, actor, po.id, { part: 'PO-P1', quantity: dec(2) });
    expect((await purchaseOrderView(t.db, actor.tenantId, po.id)).status).toBe('received');
    // Reopened on purpose (the supplier sends more, approved by an admin).
    expect((await setPurchaseOrderStatus(t.db, actor, po.id, 'open')).status).toBe('open');
    const r = (await receiveLine(t.db, actor, po.id, { part: 'PO-P1', quantity: dec(1), approveOverReceipt: true })).body;
    expect(r.purchase_order.line).toMatchObject({ received: '3', outstanding: '0' });
    expect(r.purchase_order.status).toBe('received');
    expect((await setPurchaseOrderStatus(t.db, actor, po.id, 'closed')).status).toBe('closed');
    expect((await setPurchaseOrderStatus(t.db, actor, po.id, 'open')).status).toBe('received');
    await expectReconciled(t.db, actor);
  });

  it('says an unknown PO was not found', async () => {
    const actor = await givenOrgWithPart();
    await expect(setPurchaseOrderStatus(t.db, actor, '00000000-0000-4000-8000-000000000000', 'closed')).rejects.toBeInstanceOf(NotFound);
    await expect(setPurchaseOrderStatus(t.db, actor, 'PO-00001', 'closed')).rejects.toBeInstanceOf(NotFound);
    await expect(purchaseOrderView(t.db, actor.tenantId, 'PO-00001')).rejects.toBeInstanceOf(NotFound);
    const other = await givenOrgWithPart();
    const po = (await createPurchaseOrder(t.db, other, basic())).body;
    await expect(setPurchaseOrderStatus(t.db, actor, po.id, 'closed')).rejects.toBeInstanceOf(NotFound);
    expect((await purchaseOrderView(t.db, other.tenantId, po.id)).status).toBe('open');
  });
});

describe('finding POs', () => {
  it('lists receivable POs by default, searches number and supplier, and filters by status', async () => {
    const actor = await givenOrgWithPart();
    const a = (await createPurchaseOrder(t.db, actor, basic({ supplier: 'Acme 100% Ltd', orderDate: '2026-11-02' }))).body;
    const b = (await createPurchaseOrder(t.db, actor, basic({ supplier: 'Bolt_Bros', orderDate: '2026-11-01' }))).body;
    const c = (await createPurchaseOrder(t.db, actor, basic({ supplier: 'Cogs', status: 'draft' }))).body;
    expect((await listPurchaseOrders(t.db, actor.tenantId)).map((p) => p.number)).toEqual([b.number, a.number]);
    expect((await listPurchaseOrders(t.db, actor.tenantId, { status: 'all' })).map((p) => p.number).sort()).toEqual([a.number, b.number, c.number].sort());
    expect((await listPurchaseOrders(t.db, actor.tenantId, { status: 'draft' })).map((p) => p.number)).toEqual([c.number]);
    expect((await listPurchaseOrders(t.db, actor.tenantId, { q: 'acme' })).map((p) => p.number)).toEqual([a.number]);
    expect((await listPurchaseOrders(t.db, actor.tenantId, { q: '100%' })).map((p) => p.number)).toEqual([a.number]);
    expect((await listPurchaseOrders(t.db, actor.tenantId, { q: '_' })).map((p) => p.number)).toEqual([b.number]);
    expect((await listPurchaseOrders(t.db, actor.tenantId, { q: b.number.toLowerCase() })).map((p) => p.number)).toEqual([b.number]);
    const [summary] = await listPurchaseOrders(t.db, actor.tenantId, { q: a.number });
    expect(summary).toMatchObject({ supplier: 'Acme 100% Ltd', status: 'open', currency: 'GBP', lines: 1, ordered: '10', received: '0', outstanding_lines: 1, order_date: '2026-11-02' });
    // Another organisation sees none of them.
    const other = await givenOrganisation(t.db);
    expect(await listPurchaseOrders(t.db, other.tenantId, { status: 'all' })).toEqual([]);
  });

  it('opens a PO from a scanned PO number, or from a part\'s barcode when one open PO expects it', async () => {
    const actor = await givenOrgWithPart();
    const a = (await createPurchaseOrder(t.db, actor, basic())).body;
    expect(await findByScan(t.db, actor.tenantId, ` ${a.number.toLowerCase()} `)).toEqual({ po: a.id, matches: [] });
    expect((await findByScan(t.db, actor.tenantId, '0001112223334')).po).toBe(a.id);
    expect((await findByScan(t.db, actor.tenantId, 'PO-P1')).po).toBe(a.id);
    const b = (await createPurchaseOrder(t.db, actor, basic())).body;
    const both = await findByScan(t.db, actor.tenantId, '0001112223334');
    expect(both.po).toBeNull();
    expect(both.matches.map((m) => m.id).sort()).toEqual([a.id, b.id].sort());
    expect(await findByScan(t.db, actor.tenantId, 'NOTHING')).toEqual({ po: null, matches: [] });
  });
});
