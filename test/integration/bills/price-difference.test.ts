import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { expectReconciled, onHand, openLayers } from '../../support/ledger-checks';
import { dec } from '../../../server/domain/decimal';
import { Actor } from '../../../server/services/stock/types';
import { ValuationMethod } from '../../../server/domain/costing';
import { createPurchaseOrder } from '../../../server/services/purchasing/create-po';
import { receiveLine } from '../../../server/services/goods-in/receive';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { recordBill } from '../../../server/services/bills/record-bill';
import { grniReport } from '../../../server/services/reports/grni';
import { valuation } from '../../../server/services/valuation';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const lines = (j: { lines: { role: string; debit: string; credit: string }[] } | null) => (j?.lines ?? []).map((l) => [l.role, l.debit, l.credit]);

/** 10 received at 2.50 against PO-00001 from Acme, 4 of them issued since. */
async function receivedAndPartlyUsed(method: ValuationMethod = 'fifo'): Promise<{ actor: Actor; poNumber: string }> {
  const actor = await givenOrganisation(t.db, { method });
  await givenPart(t.db, actor, 'BRG-1');
  const po = (await createPurchaseOrder(t.db, actor, { supplier: 'Acme', location: 'MAIN', lines: [{ part: 'BRG-1', quantity: dec(10), unitPrice: dec('2.50') }] })).body;
  await receiveLine(t.db, actor, po.id, { part: 'BRG-1', quantity: dec(10) });
  await postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-25', lines: [{ part: 'BRG-1', location: 'MAIN', quantity: dec(4) }] });
  return { actor, poNumber: po.number };
}

describe('a bill at a different price', () => {
  it.each(['fifo', 'weighted_average'] as ValuationMethod[])('revalues the stock on hand and sends the consumed part to PPV (%s)', async (method) => {
    const { actor, poNumber } = await receivedAndPartlyUsed(method);
    const bill = (await recordBill(t.db, actor, { supplier: 'Acme', number: 'INV-1', reference: poNumber, date: '2026-11-25', lines: [{ part: 'BRG-1', quantity: dec(10), unitPrice: dec('2.80'), accountCode: '815' }] })).body;
    expect(bill.lines[0]).toMatchObject({ matched_qty: '10', flags: [] });
    expect(bill).toMatchObject({ revalued: '1.80', variance: '1.20' });
    expect(lines(bill.journal)).toEqual([['raw_materials', '1.80', '0.00'], ['ppv', '1.20', '0.00'], ['grni', '0.00', '3.00']]);
    expect(await onHand(t.db, actor, 'BRG-1')).toBe('6');
    expect((await openLayers(t.db, actor, 'BRG-1')).map(([q, v]) => [q, dec(v).toFixed()])).toEqual([['6', '16.8']]);
    expect((await grniReport(t.db, actor.tenantId)).total).toBe('0.00');
    await expectReconciled(t.db, actor);
  });

  it('flags a bill line coded to an account other than GRNI, and billed quantity never received', async () => {
    const { actor, poNumber } = await receivedAndPartlyUsed();
    const bill = (await recordBill(t.db, actor, { supplier: 'Acme', number: 'INV-2', reference: poNumber, date: '2026-11-25', lines: [{ part: 'BRG-1', quantity: dec(12), unitPrice: dec('2.50'), accountCode: '300' }] })).body;
    expect(bill.lines[0].flags.map((f) => f.code)).toEqual(['coded_elsewhere', 'billed_not_received']);
    expect(bill.journal).toBeNull();
    await expectReconciled(t.db, actor);
  });

  it('lists received-not-billed by supplier and PO line until the bill arrives', async () => {
    const { actor, poNumber } = await receivedAndPartlyUsed();
    const before = await grniReport(t.db, actor.tenantId);
    expect(before.total).toBe('25.00');
    expect(before.suppliers[0].lines[0]).toMatchObject({ po_number: poNumber, part: 'BRG-1', unbilled_qty: '10', value: '25.00', age_days: 0 });
    await recordBill(t.db, actor, { supplier: 'Acme', number: 'INV-3', date: '2026-11-25', lines: [{ part: 'BRG-1', quantity: dec(4), unitPrice: dec('2.50') }] });
    expect((await grniReport(t.db, actor.tenantId)).total).toBe('15.00');
  });
});

describe('a bill for stock moved since it arrived', () => {
  it('revalues the units where they are now, through the transfer, not as variance', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'BRG-2');
    const po = (await createPurchaseOrder(t.db, actor, { supplier: 'Acme', location: 'MAIN', lines: [{ part: 'BRG-2', quantity: dec(10), unitPrice: dec('2.50') }] })).body;
    await receiveLine(t.db, actor, po.id, { part: 'BRG-2', quantity: dec(10) });
    await postStockEvent(t.db, actor, { kind: 'transfer', occurredOn: '2026-11-25', lines: [{ part: 'BRG-2', from: 'MAIN', to: 'B', quantity: dec(6) }] });
    await postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-25', lines: [{ part: 'BRG-2', location: 'B', quantity: dec(1) }] });
    const bill = (await recordBill(t.db, actor, { supplier: 'Acme', number: 'INV-9', reference: po.number, date: '2026-11-25', lines: [{ part: 'BRG-2', quantity: dec(10), unitPrice: dec('2.80') }] })).body;
    // 4 still at MAIN and 5 at B are revalued; the 1 issued at B is variance.
    expect(bill).toMatchObject({ revalued: '2.70', variance: '0.30' });
    expect((await openLayers(t.db, actor, 'BRG-2', 'MAIN')).map(([q, v]) => [q, dec(v).toFixed()])).toEqual([['4', '11.2']]);
    expect((await openLayers(t.db, actor, 'BRG-2', 'B')).map(([q, v]) => [q, dec(v).toFixed()])).toEqual([['5', '14']]);
    await expectReconciled(t.db, actor);
  });
});

describe('a bill dated before the goods arrived', () => {
  const daysBefore = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

  it('dates the revaluation on the day the stock arrived, so no day shows value without quantity', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'BRG-3');
    const po = (await createPurchaseOrder(t.db, actor, { supplier: 'Acme', location: 'MAIN', lines: [{ part: 'BRG-3', quantity: dec(10), unitPrice: dec('2.50') }] })).body;
    await receiveLine(t.db, actor, po.id, { part: 'BRG-3', quantity: dec(10) });
    const receipt = await t.db('stock_events').where({ tenant_id: actor.tenantId, kind: 'receipt' }).first(t.db.raw('occurred_on::text as on'));
    const arrived: string = receipt.on;
    const billDate = daysBefore(arrived, 2);
    const dayBetween = daysBefore(arrived, 1);
    // 10 x (2.80 - 2.50) = 3.00, all still on hand: revalued, dated the day the 10 arrived.
    const bill = (await recordBill(t.db, actor, { supplier: 'Acme', number: 'INV-EARLY', reference: po.number, date: billDate, lines: [{ part: 'BRG-3', quantity: dec(10), unitPrice: dec('2.80') }] })).body;
    expect(bill).toMatchObject({ date: billDate, revalued: '3.00', variance: '0.00' });
    expect(bill.journal).toMatchObject({ date: arrived });
    expect(lines(bill.journal)).toEqual([['raw_materials', '3.00', '0.00'], ['grni', '0.00', '3.00']]);
    const event = await t.db('stock_events').where({ tenant_id: actor.tenantId, id: bill.event_id }).first(t.db.raw('occurred_on::text as on'));
    expect(event.on).toBe(arrived);

    for (const day of [billDate, dayBetween]) {
      const before = await valuation(t.db, actor.tenantId, day);
      expect(before).toMatchObject({ total: '0.00', lines: [] });
    }
    expect((await valuation(t.db, actor.tenantId, arrived)).lines).toEqual([expect.objectContaining({ sku: 'BRG-3', quantity: '10', value: '28.00' })]);
    expect((await valuation(t.db, actor.tenantId)).total).toBe('28.00');
    await expectReconciled(t.db, actor);
  });
});
