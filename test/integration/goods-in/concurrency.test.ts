import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { expectReconciled, onHand, countRows } from '../../support/ledger-checks';
import { dec } from '../../../server/domain/decimal';
import { receiveLine, rejectLine } from '../../../server/services/goods-in/receive';
import { undoReceiptLine } from '../../../server/services/goods-in/undo';
import { finishDelivery } from '../../../server/services/goods-in/deliveries';
import { deliveryView, purchaseOrderView } from '../../../server/services/purchasing/views';
import { Conflict, OverTolerance } from '../../../server/errors';
import { Actor } from '../../../server/services/stock/types';
import { givenPo, setTolerance, setJournalPer, outcomes, jl, claim } from './helpers';

// PGlite has one connection, so these run one after another there and race for real only on
// PostgreSQL (CI); the assertions are the same on both.
jest.setTimeout(120_000);

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const received = async (actor: Actor, poId: string) => (await purchaseOrderView(t.db, actor.tenantId, poId)).lines.map((l) => l.received);
/** Journal lines held (net, per account) for deliveries that are already finished: never journalled. */
async function stranded(actor: Actor): Promise<[string, string][]> {
  const rows = await t.db('deferred_postings as p')
    .join('deliveries as d', (j) => j.on('d.id', 'p.delivery_id').andOn('d.tenant_id', 'p.tenant_id'))
    .where({ 'p.tenant_id': actor.tenantId, 'd.status': 'completed' }).whereNull('p.journal_id')
    .groupBy('p.account_role').select('p.account_role', t.db.raw('sum(p.amount)::text as total'));
  return rows.map((r): [string, string] => [r.account_role, dec(r.total).toFixed(2)]).filter(([, v]) => !dec(v).isZero());
}
const pendingHeld = async (actor: Actor) => Number((await t.db('deferred_postings').where({ tenant_id: actor.tenantId }).whereNull('journal_id').count({ n: '*' }))[0].n);

type Settled<T> = { ok: true; value: T } | { ok: false; error: any };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> => p.then((value) => ({ ok: true as const, value }), (error) => ({ ok: false as const, error }));

/** Resolves once `n` sessions of this test database wait on a lock (or `stop.done` is set). */
async function waiters(n: number, stop = { done: false }, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!stop.done) {
    const { rows } = await t.db.raw("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
    if (rows[0].n >= n) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${n} lock waiters (have ${rows[0].n})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Interleave two commands on PostgreSQL: `first` is held at the part's valuation lock (after it
 * has locked its PO and found its delivery) while `second` starts; then `first` is let go. On
 * PGlite (one connection) they run one after the other. Either way both outcomes come back.
 */
async function interleave<A, B>(actor: Actor, sku: string, first: () => Promise<A>, second: () => Promise<B>): Promise<[Settled<A>, Settled<B>]> {
  if (t.kind === 'pglite') return [await settle(first()), await settle(second())];
  const part = await t.db('parts').where({ tenant_id: actor.tenantId, sku }).first('id');
  const hold = await t.db.transaction();
  await hold('part_valuations').where({ tenant_id: actor.tenantId, part_id: part.id }).forUpdate();
  const a = settle(first());
  await waiters(1);
  const b = settle(second());
  // Either `second` completes without waiting for `first`, or it queues behind it.
  const stop = { done: false };
  await Promise.race([b, waiters(2, stop)]);
  stop.done = true;
  await hold.commit();
  return [await a, await b];
}

describe('goods-in under concurrency', () => {
  it('lets exactly one of 20 simultaneous "all arrived" verifications of a line through (tolerance 0)', async () => {
    const actor = await givenOrganisation(t.db);
    await setTolerance(t.db, actor, 0);
    await givenPart(t.db, actor, 'CC-1');
    const po = await givenPo(t.db, actor, [{ part: 'CC-1', qty: 10, price: '1.50' }]);
    const settled = await Promise.allSettled(Array.from({ length: 20 }, () => receiveLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(10) })));
    const { fulfilled, rejected } = outcomes(settled);
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(19);
    for (const err of rejected) {
      expect(err).toBeInstanceOf(Conflict);
      expect(err.message).toBe(`Purchase order ${po.number} has been received in full; reopen it to receive more`);
    }
    expect(await received(actor, po.id)).toEqual(['10']);
    expect(await onHand(t.db, actor, 'CC-1')).toBe('10');
    expect(await countRows(t.db, actor, 'receipt_lines')).toBe(1);
    expect(await countRows(t.db, actor, 'stock_events')).toBe(1);
    expect(await countRows(t.db, actor, 'journals')).toBe(1);
    expect(await countRows(t.db, actor, 'deliveries')).toBe(1);
    await expectReconciled(t.db, actor);
  });

  it('refuses the over-receipts when 20 verify the same line of a PO that stays open', async () => {
    const actor = await givenOrganisation(t.db);
    await setTolerance(t.db, actor, 0);
    await givenPart(t.db, actor, 'CC-2');
    await givenPart(t.db, actor, 'CC-3');
    const po = await givenPo(t.db, actor, [{ part: 'CC-2', qty: 10, price: '1.50' }, { part: 'CC-3', qty: 5, price: 1 }]);
    const settled = await Promise.allSettled(Array.from({ length: 20 }, () => receiveLine(t.db, actor, po.id, { line: po.lines[0].id, quantity: dec(10) })));
    const { fulfilled, rejected } = outcomes(settled);
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(19);
    for (const err of rejected) {
      expect(err).toBeInstanceOf(OverTolerance);
      expect(err.message).toBe('Receiving 10 more CC-2 makes 20 of 10 ordered, 100% over; the tolerance is 0%. An admin must approve');
    }
    expect(await received(actor, po.id)).toEqual(['10', '0']);
    expect(await onHand(t.db, actor, 'CC-2')).toBe('10');
    expect(await countRows(t.db, actor, 'deliveries')).toBe(1);
    await expectReconciled(t.db, actor);
  });

  it('takes all of 10 simultaneous partials of 1 against 10, into one delivery', async () => {
    const actor = await givenOrganisation(t.db, { method: 'weighted_average' });
    await setTolerance(t.db, actor, 0);
    await givenPart(t.db, actor, 'CC-4');
    const po = await givenPo(t.db, actor, [{ part: 'CC-4', qty: 10, price: '0.335' }]);
    const settled = await Promise.allSettled(Array.from({ length: 10 }, () => receiveLine(t.db, actor, po.id, { part: 'CC-4', quantity: dec(1) })));
    const { fulfilled, rejected } = outcomes(settled);
    expect(rejected).toEqual([]);
    expect(fulfilled).toHaveLength(10);
    expect(new Set(fulfilled.map((f) => f.body.receipt_line.delivery_id)).size).toBe(1);
    const view = await purchaseOrderView(t.db, actor.tenantId, po.id);
    expect(view.lines[0]).toMatchObject({ received: '10', outstanding: '0' });
    expect(view.status).toBe('received');
    expect(await onHand(t.db, actor, 'CC-4')).toBe('10');
    expect(await countRows(t.db, actor, 'receipt_lines')).toBe(10);
    expect(await countRows(t.db, actor, 'deliveries')).toBe(1);
    // 10 x 0.335 = 3.35 exactly, whatever order the cents were carried in.
    const [{ total }] = await t.db('journal_lines').where({ tenant_id: actor.tenantId, account_role: 'raw_materials' }).sum({ total: 'amount' });
    expect(dec(total).toFixed(2)).toBe('3.35');
    await expectReconciled(t.db, actor);
  });

  it('posts one delivery journal for 12 simultaneous partials under journal-per-delivery', async () => {
    const actor = await givenOrganisation(t.db);
    await setJournalPer(t.db, actor, 'delivery');
    await setTolerance(t.db, actor, 20);
    await givenPart(t.db, actor, 'CC-5');
    const po = await givenPo(t.db, actor, [{ part: 'CC-5', qty: 10, price: '0.333' }]);
    const settled = await Promise.allSettled(Array.from({ length: 12 }, () => receiveLine(t.db, actor, po.id, { part: 'CC-5', quantity: dec(1) })));
    const { fulfilled, rejected } = outcomes(settled);
    // The tenth completes the PO; the last two find it received.
    expect(fulfilled).toHaveLength(10);
    expect(rejected).toHaveLength(2);
    for (const err of rejected) expect(err).toBeInstanceOf(Conflict);
    const deliveryId = fulfilled[0].body.receipt_line.delivery_id;
    const delivery = await deliveryView(t.db, actor.tenantId, deliveryId);
    expect(delivery.status).toBe('completed');
    expect(jl(delivery.journal)).toEqual([['raw_materials', '3.33', '0.00'], ['grni', '0.00', '3.33']]);
    expect(await countRows(t.db, actor, 'journals')).toBe(1);
    expect(await countRows(t.db, actor, 'outbox')).toBe(1);
    expect(await pendingHeld(actor)).toBe(0);
    await expectReconciled(t.db, actor);
  });

  it('keeps received and stock right when receipts and undos of the same line run at once', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'CC-6');
    const po = await givenPo(t.db, actor, [{ part: 'CC-6', qty: 20, price: '2' }]);
    const first = [];
    for (let i = 0; i < 5; i++) first.push((await receiveLine(t.db, actor, po.id, { part: 'CC-6', quantity: dec(1) })).body.receipt_line.id);
    const runs = [
      ...first.map((id) => undoReceiptLine(t.db, actor, id)),
      ...Array.from({ length: 6 }, () => receiveLine(t.db, actor, po.id, { part: 'CC-6', quantity: dec(1) })),
      rejectLine(t.db, actor, po.id, { part: 'CC-6', quantity: dec(1), reason: 'bent' }),
    ];
    const { fulfilled, rejected } = outcomes(await Promise.allSettled(runs as Promise<unknown>[]));
    expect(rejected).toEqual([]);
    expect(fulfilled).toHaveLength(12);
    const view = await purchaseOrderView(t.db, actor.tenantId, po.id);
    expect(view.lines[0]).toMatchObject({ received: '6', rejected: '1', outstanding: '14' });
    expect(view.status).toBe('open');
    expect(await onHand(t.db, actor, 'CC-6')).toBe('6');
    expect(await t.db('stock_events').where({ tenant_id: actor.tenantId, kind: 'reversal' }).count({ n: '*' }).then((r) => Number(r[0].n))).toBe(5);
    await expectReconciled(t.db, actor);
  });

  it('writes one receipt for five simultaneous retries with the same idempotency key', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'CC-11');
    const po = await givenPo(t.db, actor, [{ part: 'CC-11', qty: 10, price: '2' }]);
    const input = { part: 'CC-11', quantity: dec(3) };
    const results = await Promise.all(Array.from({ length: 5 }, () => receiveLine(t.db, actor, po.id, input, claim('tablet-7', po.id, input))));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.body.receipt_line.id)).size).toBe(1);
    expect(await countRows(t.db, actor, 'receipt_lines')).toBe(1);
    expect((await purchaseOrderView(t.db, actor.tenantId, po.id)).lines[0].received).toBe('3');
    expect(await onHand(t.db, actor, 'CC-11')).toBe('3');
    await expectReconciled(t.db, actor);
  });

  it('lets only one of five simultaneous undos of a line through', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'CC-7');
    const po = await givenPo(t.db, actor, [{ part: 'CC-7', qty: 4, price: '2' }]);
    const r = (await receiveLine(t.db, actor, po.id, { part: 'CC-7', quantity: dec(4) })).body;
    const { fulfilled, rejected } = outcomes(await Promise.allSettled(Array.from({ length: 5 }, () => undoReceiptLine(t.db, actor, r.receipt_line.id))));
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(4);
    for (const err of rejected) {
      expect(err).toBeInstanceOf(Conflict);
      expect(err.message).toBe('This line has already been undone');
    }
    const view = await purchaseOrderView(t.db, actor.tenantId, po.id);
    expect(view.lines[0]).toMatchObject({ received: '0', outstanding: '4' });
    expect(view.status).toBe('open');
    expect(await onHand(t.db, actor, 'CC-7')).toBe('0');
    await expectReconciled(t.db, actor);
  });

  it('undoing a line that completed a PO while another verification of it runs leaves the figures consistent', async () => {
    const actor = await givenOrganisation(t.db);
    await setTolerance(t.db, actor, 0);
    await givenPart(t.db, actor, 'CC-8');
    const po = await givenPo(t.db, actor, [{ part: 'CC-8', qty: 5, price: '1' }]);
    const r = (await receiveLine(t.db, actor, po.id, { part: 'CC-8', quantity: dec(5) })).body;
    const [undo, again] = await Promise.allSettled([undoReceiptLine(t.db, actor, r.receipt_line.id), receiveLine(t.db, actor, po.id, { part: 'CC-8', quantity: dec(5) })]);
    expect(undo.status).toBe('fulfilled');
    const view = await purchaseOrderView(t.db, actor.tenantId, po.id);
    // The second verification either found the PO received (refused) or came after the undo (accepted).
    if (again.status === 'fulfilled') {
      expect(view.lines[0]).toMatchObject({ received: '5', outstanding: '0' });
      expect(view.status).toBe('received');
      expect(await onHand(t.db, actor, 'CC-8')).toBe('5');
    } else {
      expect(again.reason).toBeInstanceOf(Conflict);
      expect(view.lines[0]).toMatchObject({ received: '0', outstanding: '5' });
      expect(view.status).toBe('open');
      expect(await onHand(t.db, actor, 'CC-8')).toBe('0');
    }
    await expectReconciled(t.db, actor);
  });

  describe('finishing a delivery while a line of it is being verified', () => {
    async function givenOpenDelivery(sku: string) {
      const actor = await givenOrganisation(t.db);
      await setJournalPer(t.db, actor, 'delivery');
      await givenPart(t.db, actor, sku);
      const po = await givenPo(t.db, actor, [{ part: sku, qty: 10, price: '2' }]);
      const r = (await receiveLine(t.db, actor, po.id, { part: sku, quantity: dec(2) })).body;
      return { actor, po, r, deliveryId: r.receipt_line.delivery_id };
    }

    it('never leaves a verified line\'s journal lines held for a delivery that is already finished', async () => {
      const { actor, po, deliveryId } = await givenOpenDelivery('CC-9');
      const [recv, fin] = await interleave(actor, 'CC-9',
        () => receiveLine(t.db, actor, po.id, { part: 'CC-9', quantity: dec(3) }),
        () => finishDelivery(t.db, actor, deliveryId));
      expect(recv.ok).toBe(true);
      expect(fin.ok).toBe(true);
      if (!recv.ok) return;
      const recvDelivery = recv.value.body.receipt_line.delivery_id;
      const finished = await deliveryView(t.db, actor.tenantId, deliveryId);
      expect(finished.status).toBe('completed');
      if (recvDelivery === deliveryId) {
        // The verification went into the delivery before it was finished: its journal has both lines.
        expect(jl(finished.journal)).toEqual([['raw_materials', '10.00', '0.00'], ['grni', '0.00', '10.00']]);
      } else {
        // The delivery was finished first: the verification began the next one.
        expect(jl(finished.journal)).toEqual([['raw_materials', '4.00', '0.00'], ['grni', '0.00', '4.00']]);
        expect((await deliveryView(t.db, actor.tenantId, recvDelivery)).status).toBe('open');
      }
      expect(await stranded(actor)).toEqual([]);
      const lines = await t.db('receipt_lines as r').join('deliveries as d', (j) => j.on('d.id', 'r.delivery_id').andOn('d.tenant_id', 'r.tenant_id'))
        .where({ 'r.tenant_id': actor.tenantId }).select('d.status', 'r.quantity', 'd.journal_id');
      for (const l of lines) if (l.status === 'completed') expect(l.journal_id).toBe(finished.journal!.id);
      expect(await onHand(t.db, actor, 'CC-9')).toBe('5');
      await expectReconciled(t.db, actor);
    });

    it('never leaves an undo\'s journal lines held for a delivery that is already finished', async () => {
      const { actor, r, deliveryId } = await givenOpenDelivery('CC-10');
      const [undo, fin] = await interleave(actor, 'CC-10',
        () => undoReceiptLine(t.db, actor, r.receipt_line.id),
        () => finishDelivery(t.db, actor, deliveryId));
      expect(undo.ok).toBe(true);
      expect(fin.ok).toBe(true);
      expect(await stranded(actor)).toEqual([]);
      const finished = await deliveryView(t.db, actor.tenantId, deliveryId);
      expect(finished.status).toBe('completed');
      // Either the undo joined the delivery (which then nets to nothing) or was journalled on its own after it.
      const journals = await countRows(t.db, actor, 'journals');
      if (finished.journal) {
        expect(jl(finished.journal)).toEqual([['raw_materials', '4.00', '0.00'], ['grni', '0.00', '4.00']]);
        expect(journals).toBe(2);
      } else {
        expect(journals).toBe(0);
      }
      expect(await onHand(t.db, actor, 'CC-10')).toBe('0');
      await expectReconciled(t.db, actor);
    });
  });
});
