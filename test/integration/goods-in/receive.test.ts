import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { expectReconciled, onHand, openLayers, countRows } from '../../support/ledger-checks';
import { dec } from '../../../server/domain/decimal';
import { receiveLine, rejectLine } from '../../../server/services/goods-in/receive';
import { undoReceiptLine } from '../../../server/services/goods-in/undo';
import { listReturns, markReturned } from '../../../server/services/goods-in/returns';
import { listPurchaseOrders, findByScan, purchaseOrderView, deliveryView } from '../../../server/services/purchasing/views';
import { Conflict, InsufficientStock, Invalid, NotFound, OverTolerance } from '../../../server/errors';
import { Actor } from '../../../server/services/stock/types';
import { today } from '../../../server/clock';
import { updateSettings } from '../../../server/services/settings';
import { givenPo, setTolerance, givenUser, jl, refusedCleanly, claim, storedJournalLines } from './helpers';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const receiptRow = (actor: Actor, id: string) => t.db('receipt_lines').where({ tenant_id: actor.tenantId, id }).first();
const poLineRow = (actor: Actor, id: string) => t.db('purchase_order_lines').where({ tenant_id: actor.tenantId, id }).first();
const figures = (l: { ordered: string; received: string; rejected: string; outstanding: string }) => ({ ordered: l.ordered, received: l.received, rejected: l.rejected, outstanding: l.outstanding });

describe('receiving against a PO line', () => {
  it('receives a line in full: stock at the PO cost, Dr stock / Cr GRNI, PO received and out of goods-in', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'FULL-1', { barcode: '5012345678900' });
    const po = await givenPo(t.db, actor, [{ part: 'FULL-1', qty: 10, price: '2.50' }]);
    expect(po.status).toBe('open');
    expect((await listPurchaseOrders(t.db, actor.tenantId)).map((p) => p.id)).toEqual([po.id]);

    const r = (await receiveLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(10), deliveryNote: 'DN-778' })).body;
    expect(figures(r.purchase_order.line)).toEqual({ ordered: '10', received: '10', rejected: '0', outstanding: '0' });
    expect(r.purchase_order.status).toBe('received');
    expect(r.purchase_order.open_delivery).toBeNull();
    expect(r.receipt_line).toMatchObject({ part: 'FULL-1', outcome: 'accepted', quantity: '10', unit_cost: '2.5', value: '25.00', lot: null, serials: [], undone: false, approved_by: null, returned: false });
    expect(r.event_id).toBe(r.receipt_line.event_id);
    expect(jl(r.journal)).toEqual([['raw_materials', '25.00', '0.00'], ['grni', '0.00', '25.00']]);
    expect(r.journal!.narration).toMatch(new RegExp(`^Stock receipt ${po.number}: FULL-1 \\(goods-in delivery \\d+\\) \\[Perpetua\\]$`));

    expect(await onHand(t.db, actor, 'FULL-1')).toBe('10');
    expect(await onHand(t.db, actor, 'FULL-1', 'B')).toBe('0');
    expect(await openLayers(t.db, actor, 'FULL-1')).toEqual([['10', '25']]);
    const event = await t.db('stock_events').where({ tenant_id: actor.tenantId, id: r.event_id }).first();
    expect(event).toMatchObject({ kind: 'receipt', reference: po.number, contra_role: 'grni' });

    const row = await receiptRow(actor, r.receipt_line.id);
    expect(row).toMatchObject({ outcome: 'accepted', lot: '', reason: '', event_id: r.event_id, approved_by: null, undone_at: null, user_id: actor.userId });
    expect(dec(row.quantity).toFixed()).toBe('10');
    expect(dec(row.unit_cost).toFixed()).toBe('2.5');

    // The delivery was finished with the PO.
    const delivery = await deliveryView(t.db, actor.tenantId, r.receipt_line.delivery_id);
    expect(delivery).toMatchObject({ status: 'completed', delivery_note: 'DN-778', journal_per: 'line', journal: null, po_number: po.number });
    expect(delivery.lines.map((l) => l.id)).toEqual([r.receipt_line.id]);

    // Received POs leave goods-in (the default list and scanning) but are listed by status.
    expect(await listPurchaseOrders(t.db, actor.tenantId)).toEqual([]);
    expect((await listPurchaseOrders(t.db, actor.tenantId, { status: 'received' })).map((p) => [p.number, p.ordered, p.received, p.outstanding_lines])).toEqual([[po.number, '10', '10', 0]]);
    expect(await findByScan(t.db, actor.tenantId, '5012345678900')).toEqual({ po: null, matches: [] });
    await expectReconciled(t.db, actor);
  });

  it('receives in parts, by SKU and by barcode, into one delivery until the PO is complete', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'PART-1', { barcode: '4006381333931' });
    const po = await givenPo(t.db, actor, [{ part: 'PART-1', qty: 10, price: '1.25' }]);
    expect(await findByScan(t.db, actor.tenantId, '4006381333931')).toMatchObject({ po: po.id });

    const first = (await receiveLine(t.db, actor, po.id, { part: 'PART-1', quantity: dec(4) })).body;
    expect(figures(first.purchase_order.line)).toEqual({ ordered: '10', received: '4', rejected: '0', outstanding: '6' });
    expect(first.purchase_order.status).toBe('open');
    expect(first.purchase_order.open_delivery).toMatchObject({ id: first.receipt_line.delivery_id, status: 'open' });
    expect(jl(first.journal)).toEqual([['raw_materials', '5.00', '0.00'], ['grni', '0.00', '5.00']]);
    expect(await onHand(t.db, actor, 'PART-1')).toBe('4');
    expect((await listPurchaseOrders(t.db, actor.tenantId)).map((p) => [p.received, p.outstanding_lines])).toEqual([['4', 1]]);

    const second = (await receiveLine(t.db, actor, po.id, { part: '4006381333931', quantity: dec(6) })).body;
    expect(second.receipt_line.delivery_id).toBe(first.receipt_line.delivery_id);
    expect(figures(second.purchase_order.line)).toEqual({ ordered: '10', received: '10', rejected: '0', outstanding: '0' });
    expect(second.purchase_order.status).toBe('received');
    expect(jl(second.journal)).toEqual([['raw_materials', '7.50', '0.00'], ['grni', '0.00', '7.50']]);
    expect(await onHand(t.db, actor, 'PART-1')).toBe('10');
    expect(await openLayers(t.db, actor, 'PART-1')).toEqual([['4', '5'], ['6', '7.5']]);
    const delivery = await deliveryView(t.db, actor.tenantId, first.receipt_line.delivery_id);
    expect(delivery.status).toBe('completed');
    expect(delivery.lines.map((l) => l.quantity)).toEqual(['6', '4']); // newest first
    expect(await countRows(t.db, actor, 'deliveries')).toBe(1);
    expect(await countRows(t.db, actor, 'journals')).toBe(2);
    await expectReconciled(t.db, actor);
  });

  it('leaves missing lines open on the PO and picks the next outstanding line of a part', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'MULTI-1');
    await givenPart(t.db, actor, 'MULTI-2');
    const po = await givenPo(t.db, actor, [{ part: 'MULTI-1', qty: 2, price: 1 }, { part: 'MULTI-2', qty: 5, price: 3 }, { part: 'MULTI-1', qty: 3, price: 2 }]);
    const a = (await receiveLine(t.db, actor, po.id, { part: 'MULTI-1', quantity: dec(2) })).body;
    expect(a.receipt_line.po_line_id).toBe(po.lines[0].id);
    const b = (await receiveLine(t.db, actor, po.id, { part: 'MULTI-1', quantity: dec(3) })).body;
    expect(b.receipt_line.po_line_id).toBe(po.lines[2].id);
    expect(b.receipt_line.unit_cost).toBe('2');
    expect(b.purchase_order.status).toBe('open');
    expect(b.purchase_order.line).toMatchObject({ id: po.lines[2].id, outstanding: '0' });
    expect(b.purchase_order.outstanding_lines).toBe(1);
    expect((await purchaseOrderView(t.db, actor.tenantId, po.id)).lines.map((l) => l.outstanding)).toEqual(['0', '5', '0']);
    expect(await openLayers(t.db, actor, 'MULTI-1')).toEqual([['2', '2'], ['3', '6']]);
    expect((await listPurchaseOrders(t.db, actor.tenantId)).map((p) => p.outstanding_lines)).toEqual([1]);
    await expectReconciled(t.db, actor);
  });
});

describe('a delivery left open overnight', () => {
  const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

  it('dates goods arriving today today, in a new delivery, not on the day an unfinished delivery began', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'DAY-1');
    const po = await givenPo(t.db, actor, [{ part: 'DAY-1', qty: 10, price: 2 }]);
    const first = (await receiveLine(t.db, actor, po.id, { part: 'DAY-1', quantity: dec(2) })).body;
    // The first part of the order came three days ago and nobody finished that delivery.
    await t.db('deliveries').where({ tenant_id: actor.tenantId, id: first.receipt_line.delivery_id }).update({ received_on: daysAgo(3) });

    const later = (await receiveLine(t.db, actor, po.id, { part: 'DAY-1', quantity: dec(3) })).body;
    const event = await t.db('stock_events').where({ tenant_id: actor.tenantId, id: later.event_id }).first('occurred_on');
    expect(event.occurred_on).toBe(today());
    expect(later.journal!.date).toBe(today());
    expect(later.receipt_line.delivery_id).not.toBe(first.receipt_line.delivery_id);
    expect((await deliveryView(t.db, actor.tenantId, first.receipt_line.delivery_id)).status).toBe('completed');
    expect(later.purchase_order.open_delivery).toMatchObject({ id: later.receipt_line.delivery_id, received_on: today() });
    await expectReconciled(t.db, actor);
  });

  it('is not blocked when the books were locked since the unfinished delivery began', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'DAY-2');
    const po = await givenPo(t.db, actor, [{ part: 'DAY-2', qty: 10, price: 2 }]);
    const first = (await receiveLine(t.db, actor, po.id, { part: 'DAY-2', quantity: dec(2) })).body;
    await t.db('deliveries').where({ tenant_id: actor.tenantId, id: first.receipt_line.delivery_id }).update({ received_on: daysAgo(3) });
    await updateSettings(t.db, actor.tenantId, { lockDate: daysAgo(2) });
    const later = (await receiveLine(t.db, actor, po.id, { part: 'DAY-2', quantity: dec(3) })).body;
    expect(later.journal!.date).toBe(today());
    expect(await onHand(t.db, actor, 'DAY-2')).toBe('5');
    await expectReconciled(t.db, actor);
  });
});

describe('over-receipt', () => {
  it('accepts an over-receipt within the tolerance without approval', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'OVR-1');
    const po = await givenPo(t.db, actor, [{ part: 'OVR-1', qty: 20, price: 2 }]);
    // 5% of 20 is 1: exactly 21 is accepted.
    const r = (await receiveLine(t.db, actor, po.id, { part: 'OVR-1', quantity: dec(21) })).body;
    expect(figures(r.purchase_order.line)).toEqual({ ordered: '20', received: '21', rejected: '0', outstanding: '0' });
    expect(r.purchase_order.status).toBe('received');
    expect(r.receipt_line.approved_by).toBeNull();
    expect(jl(r.journal)).toEqual([['raw_materials', '42.00', '0.00'], ['grni', '0.00', '42.00']]);
    expect(await onHand(t.db, actor, 'OVR-1')).toBe('21');
    await expectReconciled(t.db, actor);
  });

  it('accepts exactly the tolerance across two verifications, and refuses one unit more', async () => {
    const actor = await givenOrganisation(t.db);
    await setTolerance(t.db, actor, 10);
    await givenPart(t.db, actor, 'OVR-2', { fractional: true, unit: 'kg' });
    const po = await givenPo(t.db, actor, [{ part: 'OVR-2', qty: 10, price: 4 }]);
    await receiveLine(t.db, actor, po.id, { part: 'OVR-2', quantity: dec('9.5') });
    const err = await refusedCleanly(t.db, actor, () => receiveLine(t.db, actor, po.id, { part: 'OVR-2', quantity: dec('1.6') }));
    expect(err).toBeInstanceOf(OverTolerance);
    expect(err).toMatchObject({ status: 422, code: 'over_tolerance' });
    expect(err.message).toBe('Receiving 1.6 more OVR-2 makes 11.1 of 10 ordered, 11% over; the tolerance is 10%. An admin must approve');
    expect(err.fields).toEqual([{ field: 'quantity', message: err.message }]);
    const ok = (await receiveLine(t.db, actor, po.id, { part: 'OVR-2', quantity: dec('1.5') })).body;
    expect(ok.purchase_order.line).toMatchObject({ received: '11', outstanding: '0' });
    expect(ok.purchase_order.status).toBe('received');
    await expectReconciled(t.db, actor);
  });

  describe('beyond the tolerance', () => {
    let admin: Actor;
    let ops: Actor & { email: string; password: string };
    let poId: string;
    let lineId: string;
    const adminEmail = () => t.db('users').where({ id: admin.userId }).first('email').then((u) => u.email as string);

    beforeEach(async () => {
      admin = await givenOrganisation(t.db);
      ops = await givenUser(t.db, admin, 'operations', `ops-${Math.random().toString(16).slice(2)}@example.com`);
      await givenPart(t.db, admin, 'OVR-3');
      const po = await givenPo(t.db, admin, [{ part: 'OVR-3', qty: 10, price: '3.10' }]);
      poId = po.id;
      lineId = po.lines[0].id;
    });

    it('is refused without approval, naming the quantity, and changes nothing', async () => {
      const err = await refusedCleanly(t.db, admin, () => receiveLine(t.db, ops, poId, { line: lineId, quantity: dec(11) }));
      expect(err).toBeInstanceOf(OverTolerance);
      expect(err.message).toBe('Receiving 11 more OVR-3 makes 11 of 10 ordered, 10% over; the tolerance is 5%. An admin must approve');
      // The signed-in admin must tick approval too: being an admin is not enough.
      const err2 = await refusedCleanly(t.db, admin, () => receiveLine(t.db, admin, poId, { line: lineId, quantity: dec(11) }));
      expect(err2).toBeInstanceOf(OverTolerance);
      expect(await onHand(t.db, admin, 'OVR-3')).toBe('0');
      await expectReconciled(t.db, admin);
    });

    it('is accepted when the signed-in admin approves it, recording the admin', async () => {
      const r = (await receiveLine(t.db, admin, poId, { line: lineId, quantity: dec(11), approveOverReceipt: true })).body;
      expect(r.receipt_line.approved_by).toBe('Ada Admin');
      expect((await receiptRow(admin, r.receipt_line.id)).approved_by).toBe(admin.userId);
      expect(figures(r.purchase_order.line)).toEqual({ ordered: '10', received: '11', rejected: '0', outstanding: '0' });
      expect(jl(r.journal)).toEqual([['raw_materials', '34.10', '0.00'], ['grni', '0.00', '34.10']]);
      expect(await onHand(t.db, admin, 'OVR-3')).toBe('11');
      expect(await openLayers(t.db, admin, 'OVR-3')).toEqual([['11', '34.1']]);
      await expectReconciled(t.db, admin);
    });

    it('is accepted with an admin\'s email and password typed on the operator\'s tablet', async () => {
      const email = await adminEmail();
      const r = (await receiveLine(t.db, ops, poId, { line: lineId, quantity: dec(12), approval: { email: `  ${email.toUpperCase()} `, password: 'correct horse battery' } })).body;
      expect(r.receipt_line.approved_by).toBe('Ada Admin');
      const row = await receiptRow(admin, r.receipt_line.id);
      expect(row).toMatchObject({ approved_by: admin.userId, user_id: ops.userId });
      expect(await onHand(t.db, admin, 'OVR-3')).toBe('12');
      await expectReconciled(t.db, admin);
    });

    it('is refused with a wrong password, naming approval.password, and changes nothing', async () => {
      const email = await adminEmail();
      const err = await refusedCleanly(t.db, admin, () => receiveLine(t.db, ops, poId, { line: lineId, quantity: dec(11), approval: { email, password: 'wrong horse' } }));
      expect(err).toBeInstanceOf(Invalid);
      expect(err.fields).toEqual([{ field: 'approval.password', message: 'That is not an admin of this organisation, or the password is wrong' }]);
      await expectReconciled(t.db, admin);
    });

    it('is refused when the approver is not an admin, is disabled, or belongs to another organisation', async () => {
      // The operator approving with their own credentials.
      let err = await refusedCleanly(t.db, admin, () => receiveLine(t.db, ops, poId, { line: lineId, quantity: dec(11), approval: { email: ops.email, password: ops.password } }));
      expect(err.fields).toEqual([{ field: 'approval.password', message: 'That is not an admin of this organisation, or the password is wrong' }]);
      // An admin of another organisation.
      const other = await givenOrganisation(t.db);
      const otherEmail = (await t.db('users').where({ id: other.userId }).first('email')).email;
      err = await refusedCleanly(t.db, admin, () => receiveLine(t.db, ops, poId, { line: lineId, quantity: dec(11), approval: { email: otherEmail, password: 'correct horse battery' } }));
      expect(err.fields[0].field).toBe('approval.password');
      // A disabled admin.
      const second = await givenUser(t.db, admin, 'admin', `second-${Math.random().toString(16).slice(2)}@example.com`);
      await t.db('users').where({ id: second.userId }).update({ disabled_at: t.db.fn.now() });
      err = await refusedCleanly(t.db, admin, () => receiveLine(t.db, ops, poId, { line: lineId, quantity: dec(11), approval: { email: second.email, password: second.password } }));
      expect(err.fields[0].field).toBe('approval.password');
    });

    it('ignores an operations or bookkeeper user\'s own approveOverReceipt', async () => {
      const err = await refusedCleanly(t.db, admin, () => receiveLine(t.db, ops, poId, { line: lineId, quantity: dec(11), approveOverReceipt: true }));
      expect(err).toBeInstanceOf(OverTolerance);
      const books = await givenUser(t.db, admin, 'bookkeeper', `books-${Math.random().toString(16).slice(2)}@example.com`);
      const err2 = await refusedCleanly(t.db, admin, () => receiveLine(t.db, books, poId, { line: lineId, quantity: dec(11), approveOverReceipt: true }));
      expect(err2).toBeInstanceOf(OverTolerance);
    });

    it('needs no approval (and records none) when the quantity is within tolerance even if approval is given', async () => {
      const r = (await receiveLine(t.db, admin, poId, { line: lineId, quantity: dec(10), approveOverReceipt: true })).body;
      expect(r.receipt_line.approved_by).toBeNull();
      await expectReconciled(t.db, admin);
    });
  });

  it('with a zero tolerance refuses even one unit over', async () => {
    const actor = await givenOrganisation(t.db);
    await setTolerance(t.db, actor, 0);
    await givenPart(t.db, actor, 'OVR-4');
    const po = await givenPo(t.db, actor, [{ part: 'OVR-4', qty: 100, price: 1 }]);
    const err = await refusedCleanly(t.db, actor, () => receiveLine(t.db, actor, po.id, { part: 'OVR-4', quantity: dec(101) }));
    expect(err.message).toBe('Receiving 101 more OVR-4 makes 101 of 100 ordered, 1% over; the tolerance is 0%. An admin must approve');
    await receiveLine(t.db, actor, po.id, { part: 'OVR-4', quantity: dec(100) });
    expect(await onHand(t.db, actor, 'OVR-4')).toBe('100');
    await expectReconciled(t.db, actor);
  });
});

describe('prices: purchase units, currency and tax', () => {
  it('receives a line bought in boxes of 10 as pieces at the per-piece cost', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'BOX-1');
    const po = await givenPo(t.db, actor, [{ part: 'BOX-1', qty: 3, price: '25', per: 10 }]);
    expect(po.lines[0]).toMatchObject({ quantity: '3', purchase_unit: 'box', units_per_purchase_unit: '10', ordered: '30', unit_cost: '2.5', unit_price: '25' });

    const one = (await receiveLine(t.db, actor, po.id, { part: 'BOX-1', quantity: dec(1) })).body;
    expect(one.receipt_line).toMatchObject({ quantity: '10', unit_cost: '2.5', value: '25.00' });
    expect(jl(one.journal)).toEqual([['raw_materials', '25.00', '0.00'], ['grni', '0.00', '25.00']]);
    // Half a box is 5 whole pieces.
    const half = (await receiveLine(t.db, actor, po.id, { part: 'BOX-1', quantity: dec('0.5') })).body;
    expect(half.receipt_line.quantity).toBe('5');
    expect(half.purchase_order.line).toMatchObject({ received: '15', outstanding: '15' });
    expect(await onHand(t.db, actor, 'BOX-1')).toBe('15');
    expect(await openLayers(t.db, actor, 'BOX-1')).toEqual([['10', '25'], ['5', '12.5']]);
    // 0.05 box is half a piece: refused.
    const err = await refusedCleanly(t.db, actor, () => receiveLine(t.db, actor, po.id, { part: 'BOX-1', quantity: dec('0.05') }));
    expect(err.fields).toEqual([{ field: 'quantity', message: 'BOX-1 is counted in whole each; 0.5 is not a whole number' }]);
    // The over-receipt limit is in pieces: 30 ordered, 5% is 31.5, so 2 boxes (20 more, 35) are over.
    const over = await refusedCleanly(t.db, actor, () => receiveLine(t.db, actor, po.id, { part: 'BOX-1', quantity: dec(2) }));
    expect(over.message).toBe('Receiving 20 more BOX-1 makes 35 of 30 ordered, 16.7% over; the tolerance is 5%. An admin must approve');
    await expectReconciled(t.db, actor);
  });

  it('values a EUR PO at the PO rate in the base currency (GBP)', async () => {
    const actor = await givenOrganisation(t.db, { currency: 'GBP' });
    await givenPart(t.db, actor, 'EUR-1');
    await givenPart(t.db, actor, 'EUR-2');
    const po = await givenPo(t.db, actor, [{ part: 'EUR-1', qty: 10, price: '11.50' }, { part: 'EUR-2', qty: 3, price: '1' }], { currency: 'EUR', currencyRate: dec('1.15') });
    expect(po).toMatchObject({ currency: 'EUR', currency_rate: '1.15' });
    expect(po.lines.map((l) => l.unit_cost)).toEqual(['10', '0.8695652174']);

    const a = (await receiveLine(t.db, actor, po.id, { part: 'EUR-1', quantity: dec(10) })).body;
    expect(a.receipt_line).toMatchObject({ unit_cost: '10', value: '100.00' });
    expect(jl(a.journal)).toEqual([['raw_materials', '100.00', '0.00'], ['grni', '0.00', '100.00']]);
    const b = (await receiveLine(t.db, actor, po.id, { part: 'EUR-2', quantity: dec(3) })).body;
    // 3 x 0.8695652174 = 2.6086956522 -> 2.61
    expect(jl(b.journal)).toEqual([['raw_materials', '2.61', '0.00'], ['grni', '0.00', '2.61']]);
    expect(await openLayers(t.db, actor, 'EUR-2')).toEqual([['3', '2.6086956522']]);
    expect(b.purchase_order.status).toBe('received');
    await expectReconciled(t.db, actor);
  });

  it('journals in yen for a JPY organisation buying in USD', async () => {
    const actor = await givenOrganisation(t.db, { currency: 'JPY' });
    await givenPart(t.db, actor, 'JPY-1');
    const po = await givenPo(t.db, actor, [{ part: 'JPY-1', qty: 3, price: '10' }], { currency: 'USD', currencyRate: dec('0.0067') });
    expect(po.lines[0].unit_cost).toBe('1492.5373134328');
    const r = (await receiveLine(t.db, actor, po.id, { part: 'JPY-1', quantity: dec(3) })).body;
    expect(r.receipt_line.value).toBe('4478');
    expect(jl(r.journal)).toEqual([['raw_materials', '4478', '0'], ['grni', '0', '4478']]);
    await expectReconciled(t.db, actor);
  });

  it('takes the tax out of a tax-inclusive price', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'INC-1');
    const po = await givenPo(t.db, actor, [{ part: 'INC-1', qty: 2, price: '120', tax: 20, per: 10 }], { amounts: 'inclusive' });
    expect(po.amounts).toBe('inclusive');
    expect(po.lines[0]).toMatchObject({ unit_price: '120', tax_rate: '20', unit_cost: '10', ordered: '20' });
    const r = (await receiveLine(t.db, actor, po.id, { part: 'INC-1', quantity: dec(2) })).body;
    expect(jl(r.journal)).toEqual([['raw_materials', '200.00', '0.00'], ['grni', '0.00', '200.00']]);
    expect(await openLayers(t.db, actor, 'INC-1')).toEqual([['20', '200']]);
    await expectReconciled(t.db, actor);
  });
});

describe('a free line', () => {
  it('receives goods priced at nothing: stock goes up, no journal, still reconciled', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'FREE-1');
    const po = await givenPo(t.db, actor, [{ part: 'FREE-1', qty: 5, price: 0 }]);
    const r = (await receiveLine(t.db, actor, po.id, { part: 'FREE-1', quantity: dec(5) })).body;
    expect(r.receipt_line).toMatchObject({ unit_cost: '0', value: '0.00' });
    expect(r.journal).toBeNull();
    expect(await onHand(t.db, actor, 'FREE-1')).toBe('5');
    expect(r.purchase_order.status).toBe('received');
    const u = (await undoReceiptLine(t.db, actor, r.receipt_line.id)).body;
    expect(u.journal).toBeNull();
    expect(await onHand(t.db, actor, 'FREE-1')).toBe('0');
    await expectReconciled(t.db, actor);
  });
});

describe('tracked parts', () => {
  it('receives a serial-tracked line with one serial per unit, and refuses bad serials naming the field', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'SER-1', { tracking: 'serial' });
    const po = await givenPo(t.db, actor, [{ part: 'SER-1', qty: 5, price: 100 }]);
    const r = (await receiveLine(t.db, actor, po.id, { part: 'SER-1', quantity: dec(2), serials: ['S1', 'S2'] })).body;
    expect(r.receipt_line.serials).toEqual(['S1', 'S2']);
    expect(jl(r.journal)).toEqual([['raw_materials', '200.00', '0.00'], ['grni', '0.00', '200.00']]);
    const serials = await t.db('serials').where({ tenant_id: actor.tenantId }).orderBy('serial').select('serial', 'status');
    expect(serials).toEqual([{ serial: 'S1', status: 'in_stock' }, { serial: 'S2', status: 'in_stock' }]);

    const bad = async (input: { quantity: string; serials?: string[] }) =>
      refusedCleanly(t.db, actor, () => receiveLine(t.db, actor, po.id, { part: 'SER-1', quantity: dec(input.quantity), serials: input.serials }));

    let err = await bad({ quantity: '2', serials: ['S3', 'S3'] });
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'serials', message: 'Serial S3 of SER-1 is listed twice' }]);
    err = await bad({ quantity: '2', serials: ['S3'] });
    expect(err.fields).toEqual([{ field: 'serials', message: 'SER-1 is serial-tracked: give one serial per unit (2 needed, 1 given)' }]);
    err = await bad({ quantity: '1' });
    expect(err.fields).toEqual([{ field: 'serials', message: 'SER-1 is serial-tracked: give one serial per unit (1 needed, 0 given)' }]);
    err = await bad({ quantity: '2', serials: ['S3', 'S1'] });
    expect(err).toBeInstanceOf(Conflict);
    expect(err.fields).toEqual([{ field: 'serials.1', message: 'Serial S1 of SER-1 is already in stock; a serial is unique per part' }]);
    err = await bad({ quantity: '1', serials: ['S2'] });
    expect(err.fields).toEqual([{ field: 'serials.0', message: 'Serial S2 of SER-1 is already in stock; a serial is unique per part' }]);

    // Undone, a serial is no longer in stock and can arrive again.
    await undoReceiptLine(t.db, actor, r.receipt_line.id);
    expect(await t.db('serials').where({ tenant_id: actor.tenantId }).orderBy('serial').select('serial', 'status')).toEqual([{ serial: 'S1', status: 'out' }, { serial: 'S2', status: 'out' }]);
    const again = (await receiveLine(t.db, actor, po.id, { part: 'SER-1', quantity: dec(3), serials: ['S1', 'S2', 'S3'] })).body;
    expect(again.purchase_order.line).toMatchObject({ received: '3', outstanding: '2' });
    expect(await onHand(t.db, actor, 'SER-1')).toBe('3');
    await expectReconciled(t.db, actor);
  });

  it('needs a serial for every piece of a serial-tracked box', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'SER-2', { tracking: 'serial' });
    const po = await givenPo(t.db, actor, [{ part: 'SER-2', qty: 2, price: 30, per: 3 }]);
    const err = await refusedCleanly(t.db, actor, () => receiveLine(t.db, actor, po.id, { part: 'SER-2', quantity: dec(1), serials: ['A'] }));
    expect(err.fields).toEqual([{ field: 'serials', message: 'SER-2 is serial-tracked: give one serial per unit (3 needed, 1 given)' }]);
    const r = (await receiveLine(t.db, actor, po.id, { part: 'SER-2', quantity: dec(1), serials: ['A', 'B', 'C'] })).body;
    expect(r.receipt_line).toMatchObject({ quantity: '3', unit_cost: '10', value: '30.00', serials: ['A', 'B', 'C'] });
    expect(await onHand(t.db, actor, 'SER-2')).toBe('3');
    await expectReconciled(t.db, actor);
  });

  it('refuses serials for an untracked part', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'UNT-1');
    const po = await givenPo(t.db, actor, [{ part: 'UNT-1', qty: 2, price: 1 }]);
    const err = await refusedCleanly(t.db, actor, () => receiveLine(t.db, actor, po.id, { part: 'UNT-1', quantity: dec(1), serials: ['X'] }));
    expect(err.fields).toEqual([{ field: 'serials', message: 'UNT-1 is not serial-tracked; leave serials empty' }]);
    const err2 = await refusedCleanly(t.db, actor, () => receiveLine(t.db, actor, po.id, { part: 'UNT-1', quantity: dec(1), lot: 'L1' }));
    expect(err2.fields).toEqual([{ field: 'lot', message: 'UNT-1 is not lot-tracked; leave lot empty' }]);
  });

  it('receives a lot-tracked line under its batch code, which is required', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'LOT-1', { tracking: 'lot', fractional: true, unit: 'kg' });
    const po = await givenPo(t.db, actor, [{ part: 'LOT-1', qty: '12.5', price: '4' }]);
    const err = await refusedCleanly(t.db, actor, () => receiveLine(t.db, actor, po.id, { part: 'LOT-1', quantity: dec('2.5') }));
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'lot', message: 'LOT-1 is lot-tracked: give the batch code' }]);
    const err2 = await refusedCleanly(t.db, actor, () => receiveLine(t.db, actor, po.id, { part: 'LOT-1', quantity: dec('2.5'), lot: '' }));
    expect(err2.fields[0].field).toBe('lot');

    const r = (await receiveLine(t.db, actor, po.id, { part: 'LOT-1', quantity: dec('2.5'), lot: 'B-2026-11' })).body;
    expect(r.receipt_line).toMatchObject({ lot: 'B-2026-11', quantity: '2.5', value: '10.00' });
    expect((await receiptRow(actor, r.receipt_line.id)).lot).toBe('B-2026-11');
    await receiveLine(t.db, actor, po.id, { part: 'LOT-1', quantity: dec(10), lot: 'B-2026-12' });
    expect(await onHand(t.db, actor, 'LOT-1', 'MAIN', 'B-2026-11')).toBe('2.5');
    expect(await onHand(t.db, actor, 'LOT-1', 'MAIN', 'B-2026-12')).toBe('10');
    await expectReconciled(t.db, actor);
  });
});

describe('rejected goods and returns', () => {
  it('records a rejection with its reason: no stock moves, the line stays outstanding, the returns list shows it', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REJ-1');
    const po = await givenPo(t.db, actor, [{ part: 'REJ-1', qty: 10, price: 5 }], { supplier: 'Dented Ltd' });
    const events = await countRows(t.db, actor, 'stock_events');
    const r = (await rejectLine(t.db, actor, po.id, { part: 'REJ-1', quantity: dec(2), reason: '  crushed in transit ' })).body;
    expect(r.event_id).toBeNull();
    expect(r.journal).toBeNull();
    expect(r.receipt_line).toMatchObject({ outcome: 'rejected', quantity: '2', reason: 'crushed in transit', event_id: null, value: '10.00', returned: false });
    expect(figures(r.purchase_order.line)).toEqual({ ordered: '10', received: '0', rejected: '2', outstanding: '10' });
    expect(r.purchase_order.status).toBe('open');
    expect(await countRows(t.db, actor, 'stock_events')).toBe(events);
    expect(await countRows(t.db, actor, 'journals')).toBe(0);
    expect(await onHand(t.db, actor, 'REJ-1')).toBe('0');

    const returns = await listReturns(t.db, actor.tenantId);
    expect(returns.map((x) => [x.id, x.po_id, x.po_number, x.supplier, x.part, x.quantity, x.reason])).toEqual([[r.receipt_line.id, po.id, po.number, 'Dented Ltd', 'REJ-1', '2', 'crushed in transit']]);
    // Another organisation sees none of it.
    const other = await givenOrganisation(t.db);
    expect(await listReturns(t.db, other.tenantId)).toEqual([]);
    await expect(markReturned(t.db, other, r.receipt_line.id)).rejects.toBeInstanceOf(NotFound);

    await markReturned(t.db, actor, r.receipt_line.id);
    expect(await listReturns(t.db, actor.tenantId)).toEqual([]);
    const returnedAt = (await receiptRow(actor, r.receipt_line.id)).returned_at;
    expect(returnedAt).not.toBeNull();
    // Marking it again is harmless and keeps the day it went back.
    await new Promise((res) => setTimeout(res, 20));
    await markReturned(t.db, actor, r.receipt_line.id);
    expect((await receiptRow(actor, r.receipt_line.id)).returned_at).toEqual(returnedAt);
    await expect(markReturned(t.db, actor, 'not-a-uuid')).rejects.toBeInstanceOf(NotFound);
    await expect(markReturned(t.db, actor, 'a'.repeat(36))).rejects.toBeInstanceOf(NotFound);
    await expect(markReturned(t.db, actor, '00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(NotFound);
    await expectReconciled(t.db, actor);
  });

  it('lists returns oldest first across POs', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REJ-2');
    const a = await givenPo(t.db, actor, [{ part: 'REJ-2', qty: 10, price: 5 }], { supplier: 'First' });
    const b = await givenPo(t.db, actor, [{ part: 'REJ-2', qty: 10, price: 5 }], { supplier: 'Second' });
    const r1 = (await rejectLine(t.db, actor, a.id, { part: 'REJ-2', quantity: dec(1), reason: 'wrong colour' })).body;
    const r2 = (await rejectLine(t.db, actor, b.id, { part: 'REJ-2', quantity: dec(3), reason: 'rusty' })).body;
    const r3 = (await rejectLine(t.db, actor, a.id, { part: 'REJ-2', quantity: dec(2), reason: 'bent' })).body;
    expect((await listReturns(t.db, actor.tenantId)).map((x) => [x.id, x.supplier])).toEqual([[r1.receipt_line.id, 'First'], [r2.receipt_line.id, 'Second'], [r3.receipt_line.id, 'First']]);
  });
});

describe('undo', () => {
  it('undoes an accepted line with a reversal: stock and received back, a received PO reopened', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'UNDO-1');
    const po = await givenPo(t.db, actor, [{ part: 'UNDO-1', qty: 10, price: '2.50' }]);
    const r = (await receiveLine(t.db, actor, po.id, { part: 'UNDO-1', quantity: dec(10) })).body;
    expect(r.purchase_order.status).toBe('received');

    const u = (await undoReceiptLine(t.db, actor, r.receipt_line.id)).body;
    expect(u.receipt_line).toMatchObject({ id: r.receipt_line.id, undone: true, undo_event_id: u.event_id });
    expect(figures(u.purchase_order.line)).toEqual({ ordered: '10', received: '0', rejected: '0', outstanding: '10' });
    expect(u.purchase_order.status).toBe('open');
    expect(jl(u.journal)).toEqual([['grni', '25.00', '0.00'], ['raw_materials', '0.00', '25.00']]);
    const reversal = await t.db('stock_events').where({ tenant_id: actor.tenantId, id: u.event_id }).first();
    expect(reversal).toMatchObject({ kind: 'reversal', reverses_event_id: r.event_id, reference: po.number });
    expect(await onHand(t.db, actor, 'UNDO-1')).toBe('0');
    expect(await openLayers(t.db, actor, 'UNDO-1')).toEqual([]);
    expect((await receiptRow(actor, r.receipt_line.id)).undone_at).not.toBeNull();
    expect((await listPurchaseOrders(t.db, actor.tenantId)).map((p) => p.id)).toEqual([po.id]);
    await expectReconciled(t.db, actor);

    // Twice: 409, and nothing changes.
    const err = await refusedCleanly(t.db, actor, () => undoReceiptLine(t.db, actor, r.receipt_line.id));
    expect(err).toBeInstanceOf(Conflict);
    expect(err.status).toBe(409);
    expect(err.message).toBe('This line has already been undone');

    // The PO can be received again, in a new delivery.
    const again = (await receiveLine(t.db, actor, po.id, { part: 'UNDO-1', quantity: dec(10) })).body;
    expect(again.receipt_line.delivery_id).not.toBe(r.receipt_line.delivery_id);
    expect(again.purchase_order.status).toBe('received');
    expect(await onHand(t.db, actor, 'UNDO-1')).toBe('10');
    await expectReconciled(t.db, actor);
  });

  it('undoes a partial line while the delivery is still open', async () => {
    const actor = await givenOrganisation(t.db, { method: 'weighted_average' });
    await givenPart(t.db, actor, 'UNDO-2');
    const po = await givenPo(t.db, actor, [{ part: 'UNDO-2', qty: 10, price: '1.10' }]);
    const a = (await receiveLine(t.db, actor, po.id, { part: 'UNDO-2', quantity: dec(3) })).body;
    const b = (await receiveLine(t.db, actor, po.id, { part: 'UNDO-2', quantity: dec(4) })).body;
    const u = (await undoReceiptLine(t.db, actor, a.receipt_line.id)).body;
    expect(figures(u.purchase_order.line)).toEqual({ ordered: '10', received: '4', rejected: '0', outstanding: '6' });
    expect(u.purchase_order.status).toBe('open');
    expect(u.purchase_order.open_delivery!.id).toBe(b.receipt_line.delivery_id);
    expect(jl(u.journal)).toEqual([['grni', '3.30', '0.00'], ['raw_materials', '0.00', '3.30']]);
    expect(await onHand(t.db, actor, 'UNDO-2')).toBe('4');
    expect(await storedJournalLines(t.db, actor)).toHaveLength(6);
    await expectReconciled(t.db, actor);
  });

  it('undoes a rejected line: the rejection leaves the PO and the returns list; twice is a conflict', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'UNDO-3');
    const po = await givenPo(t.db, actor, [{ part: 'UNDO-3', qty: 10, price: 1 }]);
    const r = (await rejectLine(t.db, actor, po.id, { part: 'UNDO-3', quantity: dec(2), reason: 'crushed' })).body;
    const events = await countRows(t.db, actor, 'stock_events');
    const u = (await undoReceiptLine(t.db, actor, r.receipt_line.id)).body;
    expect(u.event_id).toBeNull();
    expect(u.journal).toBeNull();
    expect(u.receipt_line).toMatchObject({ undone: true, undo_event_id: null });
    expect(figures(u.purchase_order.line)).toEqual({ ordered: '10', received: '0', rejected: '0', outstanding: '10' });
    expect(await countRows(t.db, actor, 'stock_events')).toBe(events);
    expect(await listReturns(t.db, actor.tenantId)).toEqual([]);
    const again = await refusedCleanly(t.db, actor, () => undoReceiptLine(t.db, actor, r.receipt_line.id));
    expect(again).toBeInstanceOf(Conflict);
    expect(again.message).toBe('This line has already been undone');
    const ret = await refusedCleanly(t.db, actor, () => markReturned(t.db, actor, r.receipt_line.id));
    expect(ret).toBeInstanceOf(Conflict);
    expect(ret.message).toBe('This rejection was undone; there is nothing to return');
    await expectReconciled(t.db, actor);
  });

  it('keeps a PO received when undoing a rejection leaves nothing outstanding', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'UNDO-4');
    const po = await givenPo(t.db, actor, [{ part: 'UNDO-4', qty: 10, price: 1 }]);
    const rej = (await rejectLine(t.db, actor, po.id, { part: 'UNDO-4', quantity: dec(1), reason: 'scratched' })).body;
    const ok = (await receiveLine(t.db, actor, po.id, { part: 'UNDO-4', quantity: dec(10) })).body;
    expect(ok.purchase_order.status).toBe('received');
    const u = (await undoReceiptLine(t.db, actor, rej.receipt_line.id)).body;
    expect(u.purchase_order.line).toMatchObject({ received: '10', rejected: '0', outstanding: '0' });
    expect(u.purchase_order.status).toBe('received');
    expect(await listPurchaseOrders(t.db, actor.tenantId)).toEqual([]);
  });

  it('keeps a PO received when undoing an over-received line leaves every line received', async () => {
    const actor = await givenOrganisation(t.db);
    await setTolerance(t.db, actor, 10);
    await givenPart(t.db, actor, 'UNDO-5');
    await givenPart(t.db, actor, 'UNDO-6');
    const po = await givenPo(t.db, actor, [{ part: 'UNDO-5', qty: 10, price: 1 }, { part: 'UNDO-6', qty: 10, price: 1 }]);
    await receiveLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(10) });
    const extra = (await receiveLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(1) })).body;
    const last = (await receiveLine(t.db, actor, po.id, { line: po.lines[1].id, quantity: dec(10) })).body;
    expect(last.purchase_order.status).toBe('received');
    const u = (await undoReceiptLine(t.db, actor, extra.receipt_line.id)).body;
    expect(u.purchase_order.outstanding_lines).toBe(0);
    expect((await purchaseOrderView(t.db, actor.tenantId, po.id)).lines.map((l) => [l.received, l.outstanding])).toEqual([['10', '0'], ['10', '0']]);
    expect(u.purchase_order.status).toBe('received');
    expect(await onHand(t.db, actor, 'UNDO-5')).toBe('10');
    await expectReconciled(t.db, actor);
  });

  it('refuses to undo once the goods have been issued, changing nothing', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'UNDO-7');
    const po = await givenPo(t.db, actor, [{ part: 'UNDO-7', qty: 5, price: 1 }]);
    const r = (await receiveLine(t.db, actor, po.id, { part: 'UNDO-7', quantity: dec(5) })).body;
    const { postStockEvent } = await import('../../../server/services/stock/post-event');
    const { today } = await import('../../../server/clock');
    await postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: today(), lines: [{ part: 'UNDO-7', location: 'MAIN', quantity: dec(2) }] });
    const err = await refusedCleanly(t.db, actor, () => undoReceiptLine(t.db, actor, r.receipt_line.id));
    expect(err).toBeInstanceOf(InsufficientStock);
    expect(err.message).toBe('Not enough UNDO-7 at MAIN: on hand 3, requested 5, short by 2');
    expect(dec((await poLineRow(actor, po.lines[0].id)).received_qty).toFixed()).toBe('5');
    await expectReconciled(t.db, actor);
  });

  it('says an unknown receipt line was not found', async () => {
    const actor = await givenOrganisation(t.db);
    await expect(undoReceiptLine(t.db, actor, 'nope')).rejects.toBeInstanceOf(NotFound);
    await expect(undoReceiptLine(t.db, actor, '00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(NotFound);
    // Another organisation's line is not found either.
    const owner = await givenOrganisation(t.db);
    await givenPart(t.db, owner, 'UNDO-8');
    const po = await givenPo(t.db, owner, [{ part: 'UNDO-8', qty: 5, price: 1 }]);
    const r = (await receiveLine(t.db, owner, po.id, { part: 'UNDO-8', quantity: dec(5) })).body;
    const err = await refusedCleanly(t.db, owner, () => undoReceiptLine(t.db, actor, r.receipt_line.id));
    expect(err).toBeInstanceOf(NotFound);
  });
});

describe('idempotency', () => {
  it('replays a repeated verification with the same key: one receipt, the first answer', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'IDEM-1');
    const po = await givenPo(t.db, actor, [{ part: 'IDEM-1', qty: 10, price: 3 }]);
    const input = { part: 'IDEM-1', quantity: dec(4) };
    const first = await receiveLine(t.db, actor, po.id, input, claim('scan-1', po.id, input));
    expect(first.replayed).toBe(false);
    const again = await receiveLine(t.db, actor, po.id, input, claim('scan-1', po.id, input));
    expect(again.replayed).toBe(true);
    expect(again.body).toEqual(JSON.parse(JSON.stringify(first.body)));
    expect(await countRows(t.db, actor, 'receipt_lines')).toBe(1);
    expect(await countRows(t.db, actor, 'stock_events')).toBe(1);
    expect((await purchaseOrderView(t.db, actor.tenantId, po.id)).lines[0].received).toBe('4');
    expect(await onHand(t.db, actor, 'IDEM-1')).toBe('4');

    const other = { part: 'IDEM-1', quantity: dec(5) };
    const err = await refusedCleanly(t.db, actor, () => receiveLine(t.db, actor, po.id, other, claim('scan-1', po.id, other)));
    expect(err).toBeInstanceOf(Conflict);
    expect(err.message).toBe('Idempotency-Key "scan-1" was already used for a different request');
    await expectReconciled(t.db, actor);
  });

  it('replays a repeated rejection and a repeated undo', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'IDEM-2');
    const po = await givenPo(t.db, actor, [{ part: 'IDEM-2', qty: 10, price: 3 }]);
    const rej = { part: 'IDEM-2', quantity: dec(1), reason: 'dented' };
    await rejectLine(t.db, actor, po.id, rej, claim('rej-1', po.id, rej));
    const replay = await rejectLine(t.db, actor, po.id, rej, claim('rej-1', po.id, rej));
    expect(replay.replayed).toBe(true);
    expect(await countRows(t.db, actor, 'receipt_lines')).toBe(1);
    expect((await purchaseOrderView(t.db, actor.tenantId, po.id)).lines[0].rejected).toBe('1');

    const r = (await receiveLine(t.db, actor, po.id, { part: 'IDEM-2', quantity: dec(5) })).body;
    const u1 = await undoReceiptLine(t.db, actor, r.receipt_line.id, claim('undo-1', r.receipt_line.id));
    const u2 = await undoReceiptLine(t.db, actor, r.receipt_line.id, claim('undo-1', r.receipt_line.id));
    expect([u1.replayed, u2.replayed]).toEqual([false, true]);
    expect(u2.body.event_id).toBe(u1.body.event_id);
    expect(await t.db('stock_events').where({ tenant_id: actor.tenantId, kind: 'reversal' }).count({ n: '*' }).then((x) => Number(x[0].n))).toBe(1);
    expect(await onHand(t.db, actor, 'IDEM-2')).toBe('0');
    await expectReconciled(t.db, actor);
  });
});
