import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { expectReconciled, onHand } from '../../support/ledger-checks';
import { dec } from '../../../server/domain/decimal';
import { createPurchaseOrder } from '../../../server/services/purchasing/create-po';
import { receiveLine, rejectLine } from '../../../server/services/goods-in/receive';
import { undoReceiptLine } from '../../../server/services/goods-in/undo';
import { markReturned } from '../../../server/services/goods-in/returns';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

it('receives a PO line to stock at the PO cost and posts Dr stock / Cr GRNI', async () => {
  const actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'BRG-1');
  const po = (await createPurchaseOrder(t.db, actor, { supplier: 'Acme', location: 'MAIN', lines: [{ part: 'BRG-1', quantity: dec(2), purchaseUnit: 'box', unitsPerPurchaseUnit: dec(10), unitPrice: dec('25') }] })).body;
  expect(po.lines[0]).toMatchObject({ ordered: '20', unit_cost: '2.5', outstanding: '20' });
  const r = (await receiveLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(1) })).body;
  expect(r.purchase_order.line).toMatchObject({ received: '10', outstanding: '10' });
  expect(r.journal!.lines.map((l) => [l.role, l.debit, l.credit])).toEqual([['raw_materials', '25.00', '0.00'], ['grni', '0.00', '25.00']]);
  expect(await onHand(t.db, actor, 'BRG-1')).toBe('10');
  await rejectLine(t.db, actor, po.id, { part: 'BRG-1', quantity: dec('0.1'), reason: 'crushed' });
  const u = (await undoReceiptLine(t.db, actor, r.receipt_line.id)).body;
  expect(u.purchase_order.line).toMatchObject({ received: '0', rejected: '1' });
  expect(await onHand(t.db, actor, 'BRG-1')).toBe('0');
  await expectReconciled(t.db, actor);
});

it('refuses to undo a rejection whose goods have gone back to the supplier', async () => {
  const actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'BRG-3');
  const po = (await createPurchaseOrder(t.db, actor, { supplier: 'Acme', location: 'MAIN', lines: [{ part: 'BRG-3', quantity: dec(5), unitPrice: dec('1') }] })).body;
  const r = (await rejectLine(t.db, actor, po.id, { part: 'BRG-3', quantity: dec(2), reason: 'bent' })).body;
  await markReturned(t.db, actor, r.receipt_line.id);
  await expect(undoReceiptLine(t.db, actor, r.receipt_line.id)).rejects.toThrow(/gone back to the supplier/);
  const line = await t.db('purchase_order_lines').where({ tenant_id: actor.tenantId, po_id: po.id }).first('rejected_qty');
  expect(dec(line.rejected_qty).toFixed()).toBe('2');
});
