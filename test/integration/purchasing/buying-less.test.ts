import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { dec } from '../../../server/domain/decimal';
import { today } from '../../../server/clock';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { createPurchaseOrder, setPurchaseOrderStatus } from '../../../server/services/purchasing/create-po';
import { buyingLessSummary } from '../../../server/services/purchasing/buying-less';
import { receiveLine } from '../../../server/services/goods-in/receive';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

describe('buying less', () => {
  it('flags a PO line that on-hand stock covers at the line value, not one it does not, and totals what is still to arrive', async () => {
    const actor = await givenOrganisation(t.db);
    for (const sku of ['BRG-1', 'MOT-1', 'SCR-M4']) await givenPart(t.db, actor, sku);
    await postStockEvent(t.db, actor, { kind: 'opening_balance', occurredOn: today(), lines: [
      { part: 'BRG-1', location: 'MAIN', quantity: dec(10), unitCost: dec('2.00') },
      { part: 'SCR-M4', location: 'MAIN', quantity: dec(500), unitCost: dec('0.10') },
    ] });

    const po1 = (await createPurchaseOrder(t.db, actor, { number: 'PO-1', supplier: 'Acme', lines: [
      { part: 'BRG-1', quantity: dec(4), unitPrice: dec('2.40') },
      { part: 'MOT-1', quantity: dec(2), unitPrice: dec('100') },
    ] })).body;
    expect(po1.lines.map((l) => [l.part, l.flag])).toEqual([['BRG-1', { free_stock: '10', value: '9.60' }], ['MOT-1', null]]);
    expect(po1.flagged_value).toBe('9.60');

    // A draft is still money about to be committed: it counts.
    await createPurchaseOrder(t.db, actor, { number: 'PO-2', supplier: 'Bolt Co', status: 'draft', lines: [
      { part: 'SCR-M4', quantity: dec(1), purchaseUnit: 'box', unitsPerPurchaseUnit: dec(100), unitPrice: dec('12.50') },
    ] });
    // Flagged, but it has all arrived: nothing left to stop.
    const po3 = (await createPurchaseOrder(t.db, actor, { number: 'PO-3', supplier: 'Acme', lines: [{ part: 'BRG-1', quantity: dec(1), unitPrice: dec('2') }] })).body;
    expect(po3.lines[0].flag).toEqual({ free_stock: '14', value: '2.00' }); // 10 on hand + 4 on order on PO-1
    await receiveLine(t.db, actor, po3.id, { line: po3.lines[0].id, quantity: dec(1) });
    // Flagged, but closed: it will not come.
    const po4 = (await createPurchaseOrder(t.db, actor, { number: 'PO-4', supplier: 'Acme', lines: [{ part: 'BRG-1', quantity: dec(3), unitPrice: dec('1') }] })).body;
    expect(po4.lines[0].flag).not.toBeNull();
    await setPurchaseOrderStatus(t.db, actor, po4.id, 'closed');

    const summary = await buyingLessSummary(t.db, actor.tenantId);
    expect(summary.lines.map((l) => ({ po: l.po_number, supplier: l.supplier, part: l.part, quantity: l.quantity, free_stock: l.free_stock, value: l.value }))).toEqual([
      { po: 'PO-2', supplier: 'Bolt Co', part: 'SCR-M4', quantity: '100', free_stock: '500', value: '12.50' },
      { po: 'PO-1', supplier: 'Acme', part: 'BRG-1', quantity: '4', free_stock: '10', value: '9.60' },
    ]);
    expect(summary.lines[1].po_id).toBe(po1.id);
    expect(summary.total_value).toBe('22.10');
  });

  it('is empty, with a zero total, for an organisation with nothing flagged', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'BRG-1');
    await createPurchaseOrder(t.db, actor, { supplier: 'Acme', lines: [{ part: 'BRG-1', quantity: dec(4), unitPrice: dec('2.40') }] });
    expect(await buyingLessSummary(t.db, actor.tenantId)).toEqual({ total_value: '0.00', lines: [] });
  });
});
