import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { expectReconciled, onHand, countRows } from '../../support/ledger-checks';
import { dec, Decimal, ZERO } from '../../../server/domain/decimal';
import { today } from '../../../server/clock';
import { receiveLine, rejectLine } from '../../../server/services/goods-in/receive';
import { undoReceiptLine } from '../../../server/services/goods-in/undo';
import { finishDelivery } from '../../../server/services/goods-in/deliveries';
import { deliveryView, purchaseOrderView } from '../../../server/services/purchasing/views';
import { setPurchaseOrderStatus } from '../../../server/services/purchasing/create-po';
import { reconciliation } from '../../../server/services/valuation';
import { NotFound } from '../../../server/errors';
import { updateSettings } from '../../../server/services/settings';
import { Actor } from '../../../server/services/stock/types';
import { givenPo, setJournalPer, jl, everything, storedJournalLines } from './helpers';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

/** What is held for a delivery's journal, net per account. */
async function held(actor: Actor, deliveryId: string): Promise<Record<string, string>> {
  const rows = await t.db('deferred_postings').where({ tenant_id: actor.tenantId, delivery_id: deliveryId }).select('account_role', 'amount');
  const out: Record<string, Decimal> = {};
  for (const r of rows) out[r.account_role] = (out[r.account_role] ?? ZERO).plus(dec(r.amount));
  return Object.fromEntries(Object.entries(out).filter(([, v]) => !v.isZero()).map(([k, v]) => [k, v.toFixed(2)]));
}

async function heldInReconciliation(actor: Actor): Promise<Record<string, string>> {
  const r = await reconciliation(t.db, actor.tenantId);
  expect(r.reconciled).toBe(true);
  return Object.fromEntries(r.accounts.map((a) => [a.role, a.held_for_delivery_journals]));
}

const sorted = <T>(xs: T[]) => [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('one journal per delivery', () => {
  it('holds every line and an undo until the delivery is finished, then posts one journal of their net', async () => {
    const actor = await givenOrganisation(t.db);
    await setJournalPer(t.db, actor, 'delivery');
    await givenPart(t.db, actor, 'DJ-A');
    await givenPart(t.db, actor, 'DJ-B');
    await givenPart(t.db, actor, 'DJ-C', { source: 'made' }); // finished goods stock
    await givenPart(t.db, actor, 'DJ-D');
    const po = await givenPo(t.db, actor, [
      { part: 'DJ-A', qty: 10, price: '1.111' },
      { part: 'DJ-B', qty: 5, price: '2' },
      { part: 'DJ-C', qty: 2, price: '3.3333' },
      { part: 'DJ-D', qty: 3, price: '9' },
    ], { supplier: 'Held & Co' });

    const a1 = (await receiveLine(t.db, actor, po.id, { part: 'DJ-A', quantity: dec(3), deliveryNote: 'DN-1' })).body;
    const deliveryId = a1.receipt_line.delivery_id;
    expect(a1.journal).toBeNull();
    expect(a1.purchase_order.open_delivery).toMatchObject({ id: deliveryId, status: 'open', journal_per: 'delivery', journal: null });
    expect(await held(actor, deliveryId)).toEqual({ raw_materials: '3.33', grni: '-3.33' });
    expect(await countRows(t.db, actor, 'journals')).toBe(0);
    expect(await heldInReconciliation(actor)).toEqual({ raw_materials: '3.33', wip: '0.00', finished_goods: '0.00' });

    const b = (await receiveLine(t.db, actor, po.id, { part: 'DJ-B', quantity: dec(5) })).body;
    const a2 = (await receiveLine(t.db, actor, po.id, { part: 'DJ-A', quantity: dec(4) })).body;
    const c = (await receiveLine(t.db, actor, po.id, { part: 'DJ-C', quantity: dec(2) })).body;
    await rejectLine(t.db, actor, po.id, { part: 'DJ-D', quantity: dec(1), reason: 'broken seal' });
    for (const r of [b, a2, c]) {
      expect(r.journal).toBeNull();
      expect(r.receipt_line.delivery_id).toBe(deliveryId);
    }
    await expectReconciled(t.db, actor);
    // 3.333 + 4.444 = 7.777: the second A line carries its rounding (posted 4.45).
    expect(await held(actor, deliveryId)).toEqual({ raw_materials: '17.78', finished_goods: '6.67', grni: '-24.45' });

    const u = (await undoReceiptLine(t.db, actor, a1.receipt_line.id)).body;
    expect(u.journal).toBeNull();
    expect(u.event_id).not.toBeNull();
    // The undo's lines join the same delivery: 7.777 - 3.333 = 4.444, so it takes 3.34 off.
    const undoHeld = await t.db('deferred_postings').where({ tenant_id: actor.tenantId, event_id: u.event_id }).orderBy('account_role').select('delivery_id', 'account_role', 'amount');
    expect(undoHeld.map((r) => [r.delivery_id, r.account_role, dec(r.amount).toFixed(2)])).toEqual([[deliveryId, 'grni', '3.34'], [deliveryId, 'raw_materials', '-3.34']]);
    expect(await held(actor, deliveryId)).toEqual({ raw_materials: '14.44', finished_goods: '6.67', grni: '-21.11' });
    expect(await heldInReconciliation(actor)).toEqual({ raw_materials: '14.44', wip: '0.00', finished_goods: '6.67' });
    expect(await countRows(t.db, actor, 'journals')).toBe(0);
    expect(await countRows(t.db, actor, 'outbox')).toBe(0);
    await expectReconciled(t.db, actor);

    const done = await finishDelivery(t.db, actor, deliveryId);
    expect(done).toMatchObject({ id: deliveryId, status: 'completed', journal_per: 'delivery', delivery_note: 'DN-1', po_number: po.number });
    expect(done.journal).not.toBeNull();
    expect(done.journal!.date).toBe(today());
    expect(done.journal!.narration).toBe(`Goods-in delivery ${done.number} against ${po.number} (Held & Co) [Perpetua]`);
    expect(sorted(jl(done.journal))).toEqual(sorted([['raw_materials', '14.44', '0.00'], ['finished_goods', '6.67', '0.00'], ['grni', '0.00', '21.11']]));
    expect(done.lines.map((l) => [l.part, l.outcome, l.quantity, l.undone])).toEqual([
      ['DJ-D', 'rejected', '1', false], ['DJ-C', 'accepted', '2', false], ['DJ-A', 'accepted', '4', false], ['DJ-B', 'accepted', '5', false], ['DJ-A', 'accepted', '3', true],
    ]);
    // Exactly one journal, with its one outbox row; nothing left held.
    expect(await countRows(t.db, actor, 'journals')).toBe(1);
    const journal = await t.db('journals').where({ tenant_id: actor.tenantId }).first();
    expect(journal).toMatchObject({ id: done.journal!.id, event_id: null, source_path: `/goods-in/deliveries/${deliveryId}` });
    const outbox = await t.db('outbox').where({ tenant_id: actor.tenantId });
    expect(outbox.map((o) => [o.topic, o.journal_id])).toEqual([['journal.post', done.journal!.id]]);
    expect(await t.db('deferred_postings').where({ tenant_id: actor.tenantId }).whereNull('journal_id').count({ n: '*' }).then((r) => Number(r[0].n))).toBe(0);
    expect(new Set((await t.db('deferred_postings').where({ tenant_id: actor.tenantId }).select('journal_id')).map((r) => r.journal_id))).toEqual(new Set([done.journal!.id]));
    expect(await heldInReconciliation(actor)).toEqual({ raw_materials: '0.00', wip: '0.00', finished_goods: '0.00' });
    await expectReconciled(t.db, actor);

    // Finishing twice changes nothing.
    const before = await everything(t.db, actor);
    const again = await finishDelivery(t.db, actor, deliveryId);
    expect(again).toEqual(done);
    expect(await everything(t.db, actor)).toEqual(before);

    // The PO is still open (A and D outstanding); the next verification begins a new delivery.
    const po2 = await purchaseOrderView(t.db, actor.tenantId, po.id);
    expect(po2.status).toBe('open');
    expect(po2.open_delivery).toBeNull();
    const next = (await receiveLine(t.db, actor, po.id, { part: 'DJ-D', quantity: dec(3) })).body;
    expect(next.receipt_line.delivery_id).not.toBe(deliveryId);
    expect(next.journal).toBeNull();
    expect(await countRows(t.db, actor, 'journals')).toBe(1);
    await expectReconciled(t.db, actor);
  });

  it('posts the delivery\'s journal when the PO is received in full', async () => {
    const actor = await givenOrganisation(t.db);
    await setJournalPer(t.db, actor, 'delivery');
    await givenPart(t.db, actor, 'DJ-E');
    await givenPart(t.db, actor, 'DJ-F');
    const po = await givenPo(t.db, actor, [{ part: 'DJ-E', qty: 2, price: '0.005' }, { part: 'DJ-F', qty: 1, price: '7.25' }]);
    const e = (await receiveLine(t.db, actor, po.id, { part: 'DJ-E', quantity: dec(1) })).body;
    const e2 = (await receiveLine(t.db, actor, po.id, { part: 'DJ-E', quantity: dec(1) })).body;
    expect(await countRows(t.db, actor, 'journals')).toBe(0);
    const f = (await receiveLine(t.db, actor, po.id, { part: 'DJ-F', quantity: dec(1) })).body;
    expect(f.purchase_order.status).toBe('received');
    expect(f.journal).toBeNull(); // the line's own lines went into the delivery's journal
    const delivery = await deliveryView(t.db, actor.tenantId, e.receipt_line.delivery_id);
    expect(delivery.status).toBe('completed');
    // 0.005 rounds to 0.01 then 0.01 -> 0.00: the carry keeps the sum at 0.01.
    expect(jl(delivery.journal)).toEqual([['raw_materials', '7.26', '0.00'], ['grni', '0.00', '7.26']]);
    expect(e2.receipt_line.delivery_id).toBe(e.receipt_line.delivery_id);
    expect(await storedJournalLines(t.db, actor)).toEqual([[delivery.journal!.number, 'raw_materials', '7.26'], [delivery.journal!.number, 'grni', '-7.26']]);
    expect(await countRows(t.db, actor, 'outbox')).toBe(1);
    await expectReconciled(t.db, actor);

    // Undone after the delivery is finished: the undo is journalled on its own at once.
    const u = (await undoReceiptLine(t.db, actor, f.receipt_line.id)).body;
    expect(jl(u.journal)).toEqual([['grni', '7.25', '0.00'], ['raw_materials', '0.00', '7.25']]);
    expect(u.purchase_order.status).toBe('open');
    expect(u.purchase_order.open_delivery).toBeNull();
    expect(await countRows(t.db, actor, 'journals')).toBe(2);
    await expectReconciled(t.db, actor);
  });

  it('posts no journal for a delivery whose lines cancel out', async () => {
    const actor = await givenOrganisation(t.db);
    await setJournalPer(t.db, actor, 'delivery');
    await givenPart(t.db, actor, 'DJ-G');
    const po = await givenPo(t.db, actor, [{ part: 'DJ-G', qty: 10, price: '3' }]);
    const r = (await receiveLine(t.db, actor, po.id, { part: 'DJ-G', quantity: dec(4) })).body;
    await undoReceiptLine(t.db, actor, r.receipt_line.id);
    await expectReconciled(t.db, actor);
    const done = await finishDelivery(t.db, actor, r.receipt_line.delivery_id);
    expect(done.status).toBe('completed');
    expect(done.journal).toBeNull();
    expect(await countRows(t.db, actor, 'journals')).toBe(0);
    expect(await countRows(t.db, actor, 'outbox')).toBe(0);
    expect(await onHand(t.db, actor, 'DJ-G')).toBe('0');
    await expectReconciled(t.db, actor);
  });

  it('keeps the policy a delivery began under, whatever the setting becomes meanwhile', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'DJ-H');
    const po = await givenPo(t.db, actor, [{ part: 'DJ-H', qty: 10, price: '1' }]);
    const first = (await receiveLine(t.db, actor, po.id, { part: 'DJ-H', quantity: dec(1) })).body;
    expect(jl(first.journal)).toEqual([['raw_materials', '1.00', '0.00'], ['grni', '0.00', '1.00']]);
    await setJournalPer(t.db, actor, 'delivery');
    const second = (await receiveLine(t.db, actor, po.id, { part: 'DJ-H', quantity: dec(2) })).body;
    expect(second.receipt_line.delivery_id).toBe(first.receipt_line.delivery_id);
    expect(jl(second.journal)).toEqual([['raw_materials', '2.00', '0.00'], ['grni', '0.00', '2.00']]);
    const done = await finishDelivery(t.db, actor, first.receipt_line.delivery_id);
    expect(done).toMatchObject({ journal_per: 'line', journal: null });
    // The next delivery is held.
    const third = (await receiveLine(t.db, actor, po.id, { part: 'DJ-H', quantity: dec(3) })).body;
    expect(third.journal).toBeNull();
    await setJournalPer(t.db, actor, 'line');
    const fourth = (await receiveLine(t.db, actor, po.id, { part: 'DJ-H', quantity: dec(3) })).body;
    expect(fourth.journal).toBeNull();
    expect(await countRows(t.db, actor, 'journals')).toBe(2);
    await expectReconciled(t.db, actor);
    const d2 = await finishDelivery(t.db, actor, third.receipt_line.delivery_id);
    expect(jl(d2.journal)).toEqual([['raw_materials', '6.00', '0.00'], ['grni', '0.00', '6.00']]);
    await expectReconciled(t.db, actor);
  });

  it('keeps each PO\'s delivery journal to its own lines', async () => {
    const actor = await givenOrganisation(t.db);
    await setJournalPer(t.db, actor, 'delivery');
    await givenPart(t.db, actor, 'DJ-I');
    const p1 = await givenPo(t.db, actor, [{ part: 'DJ-I', qty: 10, price: '1' }]);
    const p2 = await givenPo(t.db, actor, [{ part: 'DJ-I', qty: 10, price: '2' }]);
    const r1 = (await receiveLine(t.db, actor, p1.id, { part: 'DJ-I', quantity: dec(3) })).body;
    const r2 = (await receiveLine(t.db, actor, p2.id, { part: 'DJ-I', quantity: dec(4) })).body;
    expect(r1.receipt_line.delivery_id).not.toBe(r2.receipt_line.delivery_id);
    const d1 = await finishDelivery(t.db, actor, r1.receipt_line.delivery_id);
    expect(jl(d1.journal)).toEqual([['raw_materials', '3.00', '0.00'], ['grni', '0.00', '3.00']]);
    await expectReconciled(t.db, actor);
    expect(await held(actor, r2.receipt_line.delivery_id)).toEqual({ raw_materials: '8.00', grni: '-8.00' });
    const d2 = await finishDelivery(t.db, actor, r2.receipt_line.delivery_id);
    expect(jl(d2.journal)).toEqual([['raw_materials', '8.00', '0.00'], ['grni', '0.00', '8.00']]);
    await expectReconciled(t.db, actor);
  });

  it('journals a delivery left open since before the lock date on the first open day, and starts a new one for today\'s goods', async () => {
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    const actor = await givenOrganisation(t.db);
    await setJournalPer(t.db, actor, 'delivery');
    await givenPart(t.db, actor, 'DJ-K');
    const po = await givenPo(t.db, actor, [{ part: 'DJ-K', qty: 10, price: '1.5' }]);
    const first = (await receiveLine(t.db, actor, po.id, { part: 'DJ-K', quantity: dec(2) })).body;
    await t.db('deliveries').where({ tenant_id: actor.tenantId, id: first.receipt_line.delivery_id }).update({ received_on: daysAgo(3) });
    await updateSettings(t.db, actor.tenantId, { lockDate: daysAgo(2) });
    const later = (await receiveLine(t.db, actor, po.id, { part: 'DJ-K', quantity: dec(4) })).body;
    expect(later.receipt_line.delivery_id).not.toBe(first.receipt_line.delivery_id);
    expect(later.journal).toBeNull();
    const old = await deliveryView(t.db, actor.tenantId, first.receipt_line.delivery_id);
    expect(old.status).toBe('completed');
    expect(old.journal!.date).toBe(daysAgo(1));
    expect(jl(old.journal)).toEqual([['raw_materials', '3.00', '0.00'], ['grni', '0.00', '3.00']]);
    expect(await held(actor, later.receipt_line.delivery_id)).toEqual({ raw_materials: '6.00', grni: '-6.00' });
    await expectReconciled(t.db, actor);
  });

  it('posts the held journal when the PO is closed with its delivery still open', async () => {
    const actor = await givenOrganisation(t.db);
    await setJournalPer(t.db, actor, 'delivery');
    await givenPart(t.db, actor, 'DJ-L');
    const po = await givenPo(t.db, actor, [{ part: 'DJ-L', qty: 10, price: '2.2' }]);
    const r = (await receiveLine(t.db, actor, po.id, { part: 'DJ-L', quantity: dec(3) })).body;
    const closed = await setPurchaseOrderStatus(t.db, actor, po.id, 'closed');
    expect(closed.status).toBe('closed');
    expect(closed.open_delivery).toBeNull();
    const d = await deliveryView(t.db, actor.tenantId, r.receipt_line.delivery_id);
    expect(d.status).toBe('completed');
    expect(jl(d.journal)).toEqual([['raw_materials', '6.60', '0.00'], ['grni', '0.00', '6.60']]);
    expect(await countRows(t.db, actor, 'outbox')).toBe(1);
    expect(await t.db('deferred_postings').where({ tenant_id: actor.tenantId }).whereNull('journal_id').count({ n: '*' }).then((x) => Number(x[0].n))).toBe(0);
    await expectReconciled(t.db, actor);
  });

  it('finishes a delivery under the line policy without a journal, and says an unknown delivery was not found', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'DJ-J');
    const po = await givenPo(t.db, actor, [{ part: 'DJ-J', qty: 10, price: '1' }]);
    const r = (await receiveLine(t.db, actor, po.id, { part: 'DJ-J', quantity: dec(3) })).body;
    const done = await finishDelivery(t.db, actor, r.receipt_line.delivery_id);
    expect(done).toMatchObject({ status: 'completed', journal: null });
    expect(await countRows(t.db, actor, 'journals')).toBe(1);
    await expect(finishDelivery(t.db, actor, 'nope')).rejects.toBeInstanceOf(NotFound);
    await expect(finishDelivery(t.db, actor, '-'.repeat(36))).rejects.toBeInstanceOf(NotFound);
    await expect(finishDelivery(t.db, actor, '00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(NotFound);
    const other = await givenOrganisation(t.db);
    await expect(finishDelivery(t.db, other, r.receipt_line.delivery_id)).rejects.toBeInstanceOf(NotFound);
    await expectReconciled(t.db, actor);
  });
});
