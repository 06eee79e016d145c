import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { expectReconciled, onHand, openLayers, line } from '../../support/ledger-checks';
import { dec } from '../../../server/domain/decimal';
import { receiveLine } from '../../../server/services/goods-in/receive';
import { returnToSupplier } from '../../../server/services/goods-in/supplier-return';
import { undoSupplierReturn } from '../../../server/services/goods-in/supplier-return-undo';
import { listSupplierReturns } from '../../../server/services/goods-in/supplier-return-views';
import { undoReceiptLine } from '../../../server/services/goods-in/undo';
import { recordBill } from '../../../server/services/bills/record-bill';
import { grniReport } from '../../../server/services/reports/grni';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { reverseStockEvent } from '../../../server/services/stock/reverse-event';
import { purchaseOrderView } from '../../../server/services/purchasing/views';
import { Actor } from '../../../server/services/stock/types';
import { Conflict, Invalid } from '../../../server/errors';
import { today } from '../../../server/clock';
import { updateSettings } from '../../../server/services/settings';
import { givenPo, jl, refusedCleanly, claim } from './helpers';

// Received stock sent back to the supplier after goods-in: at the receipt's own cost, against
// GRNI while unbilled or Supplier credits expected once billed; the PO line open again.

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

async function received(actor: Actor, sku: string, qty: number, price: string, extra: { serials?: string[] } = {}) {
  const po = await givenPo(t.db, actor, [{ part: sku, qty, price }]);
  const r = (await receiveLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(qty), ...extra })).body;
  return { po, receiptLine: r.receipt_line.id };
}

const bill = (actor: Actor, number: string, po: string, sku: string, qty: number, price: string) =>
  recordBill(t.db, actor, { supplier: 'Acme Bearings', number, reference: po, date: today(), lines: [{ part: sku, quantity: dec(qty), unitPrice: dec(price) }] });

const receiptFigures = async (actor: Actor, id: string) => {
  const r = await t.db('receipt_lines').where({ tenant_id: actor.tenantId, id }).first();
  return { returned: dec(r.returned_qty).toFixed(), returnedUnbilled: dec(r.returned_unbilled_qty).toFixed(), billed: dec(r.billed_qty).toFixed() };
};

describe('returning received stock to its supplier', () => {
  it('takes unbilled units out at their own receipt\'s cost (not FIFO order), against GRNI, and opens the PO line again', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'RET-1');
    await received(actor, 'RET-1', 10, '2.50');
    const { po, receiptLine } = await received(actor, 'RET-1', 5, '3.00');
    expect((await purchaseOrderView(t.db, actor.tenantId, po.id)).status).toBe('received');

    const ret = (await returnToSupplier(t.db, actor, { receiptLine, quantity: dec(2), reason: 'wrong bore' })).body;
    expect(ret).toMatchObject({ part: 'RET-1', quantity: '2', unbilled_qty: '2', billed_qty: '0', value: '6.00', credit_expected: '0.00', po_number: po.number, supplier: 'Acme Bearings', undone: false });
    expect(jl(ret.journal)).toEqual([['grni', '6.00', '0.00'], ['raw_materials', '0.00', '6.00']]);
    expect(ret.journal!.date).toBe(today());
    // FIFO would have drawn the older 2.50 layer; the units came from the 3.00 one.
    expect(await openLayers(t.db, actor, 'RET-1')).toEqual([['10', '25'], ['3', '9']]);
    expect(await onHand(t.db, actor, 'RET-1')).toBe('13');
    const after = await purchaseOrderView(t.db, actor.tenantId, po.id);
    expect(after.status).toBe('open');
    expect(after.lines[0]).toMatchObject({ received: '3', outstanding: '2' });
    expect(await receiptFigures(actor, receiptLine)).toEqual({ returned: '2', returnedUnbilled: '2', billed: '0' });
    const grni = (await grniReport(t.db, actor.tenantId)).suppliers[0].lines.find((l) => l.po_number === po.number)!;
    expect(grni).toMatchObject({ unbilled_qty: '3', value: '9.00' });
    expect((await listSupplierReturns(t.db, actor.tenantId)).map((r) => [r.part, r.quantity, r.value])).toEqual([['RET-1', '2', '6.00']]);
    await expectReconciled(t.db, actor);
  });

  it('under average cost, takes unbilled units out at the receipt\'s cost GRNI was credited with, so what stays keeps its value', async () => {
    const actor = await givenOrganisation(t.db);
    await updateSettings(t.db, actor.tenantId, { valuationMethod: 'weighted_average' });
    await givenPart(t.db, actor, 'RET-WA');
    await postStockEvent(t.db, actor, { kind: 'opening_balance', occurredOn: today(), lines: [line('RET-WA', 'MAIN', 10, '20.00')] });
    // 10 at 20.00 plus 10 received at 10.00: 300.00 over 20, 15.00 on average; GRNI credited 100.00.
    const { receiptLine } = await received(actor, 'RET-WA', 10, '10.00');
    expect(await openLayers(t.db, actor, 'RET-WA')).toEqual([['20', '300']]);

    const ret = (await returnToSupplier(t.db, actor, { receiptLine, quantity: dec(10), reason: 'surplus' })).body;
    // At the average (15.00) GRNI would keep a 50.00 debit nothing clears, and the 10 left would be worth 150.00.
    expect(ret).toMatchObject({ unbilled_qty: '10', value: '100.00', credit_expected: '0.00' });
    expect(jl(ret.journal)).toEqual([['grni', '100.00', '0.00'], ['raw_materials', '0.00', '100.00']]);
    expect(await openLayers(t.db, actor, 'RET-WA')).toEqual([['10', '200']]);
    const grniBalance = await t.db('journal_lines').where({ tenant_id: actor.tenantId, account_role: 'grni' }).sum({ s: 'amount' }).first();
    expect(dec(grniBalance!.s).toFixed(2)).toBe('0.00');
    await expectReconciled(t.db, actor);
  });

  it('sends billed units against Supplier credits expected, at the billed cost', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'RET-2');
    const { po, receiptLine } = await received(actor, 'RET-2', 10, '2.00');
    await bill(actor, 'INV-1', po.number, 'RET-2', 10, '2.20');
    expect(await openLayers(t.db, actor, 'RET-2')).toEqual([['10', '22']]);

    const ret = (await returnToSupplier(t.db, actor, { receiptLine, quantity: dec(3), reason: 'faulty' })).body;
    expect(ret).toMatchObject({ unbilled_qty: '0', billed_qty: '3', value: '6.60', credit_expected: '6.60' });
    expect(jl(ret.journal)).toEqual([['supplier_credits', '6.60', '0.00'], ['raw_materials', '0.00', '6.60']]);
    expect(ret.journal!.lines[0]).toMatchObject({ account_code: '635', account_name: 'Supplier Credits Expected' });
    expect(await openLayers(t.db, actor, 'RET-2')).toEqual([['7', '15.4']]);
    expect(await receiptFigures(actor, receiptLine)).toEqual({ returned: '3', returnedUnbilled: '0', billed: '10' });
    await expectReconciled(t.db, actor);
  });

  it('splits a return over unbilled and billed units; a later bill cannot match what went back; undo mirrors the journal', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'RET-3');
    const { po, receiptLine } = await received(actor, 'RET-3', 10, '2.00');
    await bill(actor, 'INV-6', po.number, 'RET-3', 6, '2.00');

    const ret = (await returnToSupplier(t.db, actor, { receiptLine, quantity: dec(6), reason: 'surplus' }, claim('ret-3', 'x'))).body;
    expect(ret).toMatchObject({ unbilled_qty: '4', billed_qty: '2', value: '12.00', credit_expected: '4.00' });
    expect(jl(ret.journal)).toEqual([['supplier_credits', '4.00', '0.00'], ['grni', '8.00', '0.00'], ['raw_materials', '0.00', '12.00']]);
    // A retry with the same key records nothing more.
    const again = await returnToSupplier(t.db, actor, { receiptLine, quantity: dec(6), reason: 'surplus' }, claim('ret-3', 'x'));
    expect(again.replayed).toBe(true);
    expect(await onHand(t.db, actor, 'RET-3')).toBe('4');

    // The 4 unbilled units went back: a bill for them is flagged, not matched.
    const late = (await bill(actor, 'INV-4', po.number, 'RET-3', 4, '2.00')).body;
    expect(late.lines[0]).toMatchObject({ matched_qty: '0' });
    expect(late.lines[0].flags.map((f) => f.code)).toEqual(['billed_not_received']);
    await expectReconciled(t.db, actor);

    // Undone: the stock comes back into its layer and the journal is answered line for line.
    await expect(reverseStockEvent(t.db, actor, ret.event_id, today(), 'oops')).rejects.toThrow(/supplier return/);
    await expect(undoReceiptLine(t.db, actor, receiptLine)).rejects.toThrow(Conflict);
    const undone = (await undoSupplierReturn(t.db, actor, ret.id)).body;
    expect(undone.undone).toBe(true);
    const reversal = await t.db('journals as j').join('stock_events as e', (x) => x.on('e.id', 'j.event_id').andOn('e.tenant_id', 'j.tenant_id'))
      .where({ 'e.tenant_id': actor.tenantId, 'e.reverses_event_id': ret.event_id }).first('j.id');
    const lines = await t.db('journal_lines').where({ tenant_id: actor.tenantId, journal_id: reversal.id }).orderBy('line_no');
    expect(lines.map((l) => [l.account_role, dec(l.amount).toFixed()]).sort()).toEqual([['grni', '-8'], ['raw_materials', '12'], ['supplier_credits', '-4']]);
    expect(await openLayers(t.db, actor, 'RET-3')).toEqual([['10', '20']]);
    expect(await receiptFigures(actor, receiptLine)).toEqual({ returned: '0', returnedUnbilled: '0', billed: '6' });
    expect((await purchaseOrderView(t.db, actor.tenantId, po.id)).status).toBe('received');
    await expect(undoSupplierReturn(t.db, actor, ret.id)).rejects.toThrow(/already been undone/);
    await expectReconciled(t.db, actor);
  });

  it('returns serial-tracked units by serial, from the layer each came in on', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'RET-S', { tracking: 'serial' });
    const { receiptLine } = await received(actor, 'RET-S', 2, '40', { serials: ['S-1', 'S-2'] });
    const ret = (await returnToSupplier(t.db, actor, { receiptLine, serials: ['S-2'], reason: 'dead on arrival' })).body;
    expect(ret).toMatchObject({ quantity: '1', serials: ['S-2'], value: '40.00' });
    expect(await t.db('serials').where({ tenant_id: actor.tenantId, serial: 'S-2' }).first('status')).toEqual({ status: 'out' });
    const err = await refusedCleanly(t.db, actor, () => returnToSupplier(t.db, actor, { receiptLine, serials: ['S-9'], reason: 'x' }));
    expect(err.fields).toEqual([{ field: 'serials', message: 'Serial S-9 of RET-S did not arrive on this receipt line' }]);
    await expectReconciled(t.db, actor);
  });

  it('refuses, changing nothing, when those units are no longer at the location, or more than is left, or no reason', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'RET-4');
    const { receiptLine } = await received(actor, 'RET-4', 5, '1.00');
    await postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: today(), lines: [line('RET-4', 'MAIN', 4)] });
    const gone = await refusedCleanly(t.db, actor, () => returnToSupplier(t.db, actor, { receiptLine, quantity: dec(3), reason: 'faulty' }));
    expect(gone).toBeInstanceOf(Conflict);
    expect(gone.message).toMatch(/^3 each of RET-4 from delivery \d+ \(PO-\S+\) is no longer in stock at MAIN: only 1 of it is left there/);
    const over = await refusedCleanly(t.db, actor, () => returnToSupplier(t.db, actor, { receiptLine, quantity: dec(6), reason: 'faulty' }));
    expect(over).toBeInstanceOf(Invalid);
    expect(over.fields[0]).toEqual({ field: 'quantity', message: 'Only 5 each of RET-4 from this receipt is left to return (5 received, 0 returned already)' });
    const why = await refusedCleanly(t.db, actor, () => returnToSupplier(t.db, actor, { receiptLine, quantity: dec(1), reason: ' ' }));
    expect(why.fields[0].field).toBe('reason');
  });
});
