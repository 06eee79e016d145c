import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { expectReconciled, onHand } from '../../support/ledger-checks';
import { dec } from '../../../server/domain/decimal';
import { today } from '../../../server/clock';
import { receiveLine, rejectLine } from '../../../server/services/goods-in/receive';
import { setPurchaseOrderStatus } from '../../../server/services/purchasing/create-po';
import { updateSettings } from '../../../server/services/settings';
import { Conflict, Invalid, NotFound, PeriodClosed } from '../../../server/errors';
import { Actor } from '../../../server/services/stock/types';
import { PurchaseOrderView, ReceiveInput, RejectInput } from '../../../server/services/purchasing/types';
import { givenPo, refusedCleanly } from './helpers';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

let actor: Actor;
let po: PurchaseOrderView;
beforeEach(async () => {
  actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'BAD-1');
  await givenPart(t.db, actor, 'BAD-KG', { fractional: true, unit: 'kg' });
  await givenPart(t.db, actor, 'ELSEWHERE');
  po = await givenPo(t.db, actor, [{ part: 'BAD-1', qty: 10, price: 2 }, { part: 'BAD-KG', qty: 5, price: 1 }]);
  // Something already received, so a refusal has state to disturb.
  await receiveLine(t.db, actor, po.id, { part: 'BAD-1', quantity: dec(2) });
});
afterEach(async () => { await expectReconciled(t.db, actor); });

const receive = (input: Partial<ReceiveInput>, poId = po.id) => refusedCleanly(t.db, actor, () => receiveLine(t.db, actor, poId, { quantity: dec(1), ...input }));
const reject = (input: Partial<RejectInput>, poId = po.id) => refusedCleanly(t.db, actor, () => rejectLine(t.db, actor, poId, { quantity: dec(1), reason: 'dented', ...input }));

describe('a PO that cannot be received against', () => {
  test.each([
    ['closed', 'closed', 'is closed; reopen it to receive against it'],
    ['cancelled', 'cancelled', 'is cancelled; nothing can be received against it'],
  ] as const)('refuses a %s PO with a conflict naming it, and changes nothing', async (_l, status, says) => {
    const fresh = await givenPo(t.db, actor, [{ part: 'BAD-1', qty: 10, price: 2 }]);
    if (status === 'closed') await setPurchaseOrderStatus(t.db, actor, po.id, 'closed');
    else await setPurchaseOrderStatus(t.db, actor, fresh.id, 'cancelled');
    const target = status === 'closed' ? po : fresh;
    for (const run of [() => receive({ part: 'BAD-1' }, target.id), () => reject({ part: 'BAD-1' }, target.id)]) {
      const err = await run();
      expect(err).toBeInstanceOf(Conflict);
      expect(err.status).toBe(409);
      expect(err.message).toBe(`Purchase order ${target.number} ${says}`);
      expect(err.fields).toEqual([{ field: 'purchase_order', message: err.message }]);
    }
  });

  it('refuses a draft PO until it is approved', async () => {
    const draft = await givenPo(t.db, actor, [{ part: 'BAD-1', qty: 10, price: 2 }], { status: 'draft' });
    expect(draft.status).toBe('draft');
    const err = await receive({ part: 'BAD-1' }, draft.id);
    expect(err).toBeInstanceOf(Conflict);
    expect(err.message).toBe(`Purchase order ${draft.number} is a draft; approve it before receiving against it`);
    await setPurchaseOrderStatus(t.db, actor, draft.id, 'open');
    await receiveLine(t.db, actor, draft.id, { part: 'BAD-1', quantity: dec(1) });
  });

  it('refuses a PO received in full', async () => {
    const full = await givenPo(t.db, actor, [{ part: 'BAD-1', qty: 1, price: 2 }]);
    await receiveLine(t.db, actor, full.id, { part: 'BAD-1', quantity: dec(1) });
    const err = await receive({ part: 'BAD-1' }, full.id);
    expect(err).toBeInstanceOf(Conflict);
    expect(err.message).toBe(`Purchase order ${full.number} has been received in full; reopen it to receive more`);
    const err2 = await reject({ part: 'BAD-1' }, full.id);
    expect(err2.message).toBe(err.message);
  });

  test.each([
    ['an unknown id', '00000000-0000-4000-8000-000000000000'],
    ['a PO number instead of an id', 'PO-00001'],
    ['an empty id', ''],
  ])('says %s was not found', async (_l, id) => {
    const err = await receive({ part: 'BAD-1' }, id);
    expect(err).toBeInstanceOf(NotFound);
    expect(err.status).toBe(404);
    expect(err.message).toBe(`Purchase order ${id} was not found`);
    expect((await reject({ part: 'BAD-1' }, id))).toBeInstanceOf(NotFound);
  });

  it('does not find another organisation\'s PO', async () => {
    const other = await givenOrganisation(t.db);
    await givenPart(t.db, other, 'BAD-1');
    const err = await refusedCleanly(t.db, other, () => receiveLine(t.db, other, po.id, { part: 'BAD-1', quantity: dec(1) }));
    expect(err).toBeInstanceOf(NotFound);
    expect(await onHand(t.db, other, 'BAD-1')).toBe('0');
  });
});

describe('which line', () => {
  it('refuses a part that is not on the PO, naming the part field', async () => {
    for (const part of ['ELSEWHERE', 'NO-SUCH-SKU']) {
      const err = await receive({ part });
      expect(err).toBeInstanceOf(Invalid);
      expect(err.status).toBe(422);
      expect(err.fields).toEqual([{ field: 'part', message: `${part} is not on purchase order ${po.number}` }]);
      expect((await reject({ part })).fields[0].field).toBe('part');
    }
  });

  it('refuses a line of another PO, or one that is not an id, naming the line field', async () => {
    const other = await givenPo(t.db, actor, [{ part: 'BAD-1', qty: 1, price: 2 }]);
    for (const line of [other.lines[0].id, 'line-1']) {
      const err = await receive({ line });
      expect(err.fields).toEqual([{ field: 'line', message: `Line ${line} is not on purchase order ${po.number}` }]);
    }
  });

  it('asks which line when given neither', async () => {
    const err = await receive({});
    expect(err.fields).toEqual([{ field: 'line', message: 'Say which line: its id, or the part' }]);
  });
});

describe('quantities', () => {
  test.each([
    ['a negative', 'BAD-1', '-1', 'Quantity of BAD-1 must be greater than zero (got -1)'],
    ['a zero', 'BAD-1', '0', 'Quantity of BAD-1 must be greater than zero (got 0)'],
    ['a not-a-number', 'BAD-1', 'NaN', 'Quantity of BAD-1 must be greater than zero (got NaN)'],
    ['a fractional whole-unit', 'BAD-1', '1.5', 'BAD-1 is counted in whole each; 1.5 is not a whole number'],
    ['an over-precise', 'BAD-KG', '0.0000001', 'Quantity of BAD-KG has too many decimal places (at most 6)'],
  ])('refuses %s quantity, naming the quantity field', async (_l, part, qty, message) => {
    const err = await receive({ part, quantity: dec(qty) });
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'quantity', message }]);
    const err2 = await reject({ part, quantity: dec(qty) });
    expect(err2.fields).toEqual([{ field: 'quantity', message }]);
  });

  it('accepts a fraction of a fractional part', async () => {
    const r = (await receiveLine(t.db, actor, po.id, { part: 'BAD-KG', quantity: dec('0.125') })).body;
    expect(r.receipt_line.quantity).toBe('0.125');
    expect(await onHand(t.db, actor, 'BAD-KG')).toBe('0.125');
  });
});

describe('rejections', () => {
  test.each([['missing', undefined], ['empty', ''], ['blank', '   ']])('refuses a %s reason, naming the reason field', async (_l, reason) => {
    const err = await reject({ part: 'BAD-1', reason: reason as string });
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'reason', message: 'Say why BAD-1 is rejected (damaged, wrong part...)' }]);
  });
});

describe('the books', () => {
  it('refuses goods-in on a day inside the locked period, changing nothing', async () => {
    await updateSettings(t.db, actor.tenantId, { lockDate: today() });
    const err = await receive({ part: 'BAD-1' });
    expect(err).toBeInstanceOf(PeriodClosed);
    expect(err.fields[0].field).toBe('occurred_on');
    await updateSettings(t.db, actor.tenantId, { lockDate: null });
  });
});
