import { openTestDb, TestDb } from '../support/db';
import { givenOrganisation, givenPart } from '../support/builders';
import { expectReconciled, line, move, journalLines, onHand, ledgerSnapshot, countRows } from '../support/ledger-checks';
import { expectRefused } from '../support/ledger-checks';
import { postStockEvent } from '../../server/services/stock/post-event';
import { reverseStockEvent } from '../../server/services/stock/reverse-event';
import { getSettings, updateSettings } from '../../server/services/settings';
import { eventDetail } from '../../server/services/queries';
import { InsufficientStock, Invalid, NotFound, PeriodClosed } from '../../server/errors';
import { Actor, LineInput, StockCommand } from '../../server/services/stock/types';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const receive = (actor: Actor, lines: LineInput[], on = '2026-11-02') => postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: on, lines });
const issue = (actor: Actor, lines: LineInput[], on = '2026-11-05') => postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: on, lines });
const adjust = (actor: Actor, lines: LineInput[], on = '2026-11-06') => postStockEvent(t.db, actor, { kind: 'adjustment', occurredOn: on, reason: 'count', lines });

const refused = (actor: Actor, run: () => Promise<unknown>) => expectRefused(t.db, actor, run);

describe('negative stock', () => {
  it('refuses an issue larger than on hand, naming part, location, on hand and shortfall, and writes nothing', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'NEG-1');
    await receive(actor, [line('NEG-1', 'MAIN', '4', '2.50')]);
    const movements = await countRows(t.db, actor, 'stock_movements');
    const journals = await countRows(t.db, actor, 'journals');

    const err = await refused(actor, () => issue(actor, [line('NEG-1', 'MAIN', '7')]));
    expect(err).toBeInstanceOf(InsufficientStock);
    expect(err).toMatchObject({ code: 'insufficient_stock', status: 422 });
    expect(err.message).toBe('Not enough NEG-1 at MAIN: on hand 4, requested 7, short by 3');
    expect(err.detail).toEqual({ part: 'NEG-1', location: 'MAIN', onHand: '4', requested: '7', shortBy: '3', lot: undefined });
    expect(err.fields).toEqual([{ field: 'lines.0.quantity', message: err.message }]);

    expect(await countRows(t.db, actor, 'stock_movements')).toBe(movements);
    expect(await countRows(t.db, actor, 'journals')).toBe(journals);
    expect(await onHand(t.db, actor, 'NEG-1')).toBe('4');
    await expectReconciled(t.db, actor);
  });

  it('refuses an issue from a location that holds none of the part', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'NEG-2');
    await receive(actor, [line('NEG-2', 'MAIN', '4', '1')]);
    const err = await refused(actor, () => issue(actor, [line('NEG-2', 'B', '1')]));
    expect(err.message).toBe('Not enough NEG-2 at B: on hand 0, requested 1, short by 1');
  });

  it('refuses the whole event when one of its lines is short, naming that line', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'NEG-3');
    await givenPart(t.db, actor, 'NEG-4');
    await receive(actor, [line('NEG-3', 'MAIN', '10', '1'), line('NEG-4', 'MAIN', '1', '1')]);
    const err = await refused(actor, () => issue(actor, [line('NEG-3', 'MAIN', '5'), line('NEG-4', 'MAIN', '2.000')]));
    expect(err).toBeInstanceOf(InsufficientStock);
    expect(err.fields).toEqual([{ field: 'lines.1.quantity', message: 'Not enough NEG-4 at MAIN: on hand 1, requested 2, short by 1' }]);
    expect(await onHand(t.db, actor, 'NEG-3')).toBe('10');
    await expectReconciled(t.db, actor);
  });

  it('counts earlier lines of the same event, so two lines cannot together overdraw', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'NEG-5');
    await receive(actor, [line('NEG-5', 'MAIN', '4', '1')]);
    const err = await refused(actor, () => issue(actor, [line('NEG-5', 'MAIN', '3'), line('NEG-5', 'MAIN', '3')]));
    expect(err.message).toBe('Not enough NEG-5 at MAIN: on hand 1, requested 3, short by 2');
  });

  it('refuses a count loss larger than on hand', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'NEG-6', { fractional: true, unit: 'kg' });
    await receive(actor, [line('NEG-6', 'MAIN', '2.5', '4')]);
    const err = await refused(actor, () => adjust(actor, [line('NEG-6', 'MAIN', '-2.75')]));
    expect(err.message).toBe('Not enough NEG-6 at MAIN: on hand 2.5, requested 2.75, short by 0.25');
  });

  it('has the database refuse a negative balance even when the service is bypassed', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'NEG-7');
    await receive(actor, [line('NEG-7', 'MAIN', '1', '1')]);
    await expect(t.db('stock_balances').where({ tenant_id: actor.tenantId }).update({ on_hand: -1 })).rejects.toThrow(/violates check constraint "stock_balances_(on_hand|allocated)_chk"/);
  });
});

describe('lock date', () => {
  async function givenLockedOrganisation() {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'LCK-1');
    const before = await receive(actor, [line('LCK-1', 'MAIN', '5', '2')], '2026-10-20');
    await updateSettings(t.db, actor.tenantId, { lockDate: '2026-10-31' });
    return { actor, before };
  }

  it.each(['2026-10-31', '2026-10-01', '2025-12-31'])('refuses a movement dated %s, on or before the lock date, and writes nothing', async (date) => {
    const { actor } = await givenLockedOrganisation();
    const err = await refused(actor, () => issue(actor, [line('LCK-1', 'MAIN', '1')], date));
    expect(err).toBeInstanceOf(PeriodClosed);
    expect(err).toMatchObject({ code: 'period_closed', status: 422 });
    expect(err.message).toBe(`Date ${date} is inside the locked period (lock date 2026-10-31); use a date after 2026-10-31`);
    expect(err.fields).toEqual([{ field: 'occurred_on', message: err.message }]);
    await expectReconciled(t.db, actor);
  });

  it('accepts the first day after the lock date', async () => {
    const { actor } = await givenLockedOrganisation();
    const r = await issue(actor, [line('LCK-1', 'MAIN', '1')], '2026-11-01');
    expect(r.body.journal!.date).toBe('2026-11-01');
    // Business dates come back from the database as the same text on PGlite and PostgreSQL.
    expect((await getSettings(t.db, actor.tenantId)).tenant.lockDate).toBe('2026-10-31');
    expect((await eventDetail(t.db, actor.tenantId, r.body.id)).occurred_on).toBe('2026-11-01');
    await expectReconciled(t.db, actor);
  });

  it('refuses a reversal dated inside the locked period but reverses a locked event in the open one', async () => {
    const { actor, before } = await givenLockedOrganisation();
    const err = await refused(actor, () => reverseStockEvent(t.db, actor, before.body.id, '2026-10-25', 'typo'));
    expect(err).toBeInstanceOf(PeriodClosed);
    const rev = await reverseStockEvent(t.db, actor, before.body.id, '2026-11-02', 'typo');
    expect(rev.body.occurred_on).toBe('2026-11-02');
    expect(journalLines(rev.body)).toEqual([
      { role: 'grni', debit: '10.00', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '10.00' },
    ]);
    await expectReconciled(t.db, actor);
  });

  it.each(['epoch', 'yesterday', '2026-02-30', '2026-11-5', '05/11/2026'])('refuses %s as a business date, so no word can slip past the lock date', async (date) => {
    const { actor } = await givenLockedOrganisation();
    const err = await refused(actor, () => issue(actor, [line('LCK-1', 'MAIN', '1')], date));
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'occurred_on', message: `${date} is not a date like 2026-11-25` }]);
  });
});

describe('adjustments', () => {
  it('values a gain with no unit cost at the newest FIFO layer cost and posts Dr stock / Cr stock adjustments', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'ADJ-1');
    await receive(actor, [line('ADJ-1', 'MAIN', '5', '2')]);
    await receive(actor, [line('ADJ-1', 'MAIN', '5', '3')]);
    const r = await adjust(actor, [line('ADJ-1', 'MAIN', '2')]);
    expect(r.body.movements[0]).toMatchObject({ quantity: '2', unit_cost: '3', value: '6' });
    expect(journalLines(r.body)).toEqual([
      { role: 'raw_materials', debit: '6.00', credit: '0.00' },
      { role: 'stock_adjustments', debit: '0.00', credit: '6.00' },
    ]);
    expect(await onHand(t.db, actor, 'ADJ-1')).toBe('12');
    await expectReconciled(t.db, actor);
  });

  it('values a gain with no unit cost at the average under weighted average', async () => {
    const actor = await givenOrganisation(t.db, { method: 'weighted_average' });
    await givenPart(t.db, actor, 'ADJ-2');
    await receive(actor, [line('ADJ-2', 'MAIN', '10', '2')]);
    await receive(actor, [line('ADJ-2', 'MAIN', '10', '3')]);
    const r = await adjust(actor, [line('ADJ-2', 'MAIN', '4')]);
    expect(r.body.movements[0]).toMatchObject({ unit_cost: '2.5', value: '10' });
    expect(journalLines(r.body)[0]).toEqual({ role: 'raw_materials', debit: '10.00', credit: '0.00' });
    await expectReconciled(t.db, actor);
  });

  it('uses the unit cost given with a gain', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'ADJ-3');
    const r = await adjust(actor, [line('ADJ-3', 'B', '3', '1.10')]);
    expect(r.body.movements[0]).toMatchObject({ location: 'B', value: '3.3' });
    expect(journalLines(r.body)).toEqual([
      { role: 'raw_materials', debit: '3.30', credit: '0.00' },
      { role: 'stock_adjustments', debit: '0.00', credit: '3.30' },
    ]);
    await expectReconciled(t.db, actor);
  });

  it('refuses a gain with no unit cost where the location has no stock to take a cost from, naming unit_cost', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'ADJ-4');
    await receive(actor, [line('ADJ-4', 'MAIN', '1', '5')]);
    const err = await refused(actor, () => adjust(actor, [line('ADJ-4', 'B', '1')]));
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'lines.0.unit_cost', message: 'Unit cost is required: ADJ-4 has no stock at B to take a cost from' }]);

    const multi = await refused(actor, () => adjust(actor, [line('ADJ-4', 'MAIN', '1'), line('ADJ-4', 'B', '2')]));
    expect(multi.fields).toEqual([{ field: 'lines.1.unit_cost', message: 'Unit cost is required: ADJ-4 has no stock at B to take a cost from' }]);
    await expectReconciled(t.db, actor);
  });

  it('posts a loss as Dr stock adjustments / Cr stock at FIFO cost', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'ADJ-5');
    await receive(actor, [line('ADJ-5', 'MAIN', '5', '2')]);
    await receive(actor, [line('ADJ-5', 'MAIN', '5', '3')]);
    // 5 x 2 + 1 x 3 = 13
    const r = await adjust(actor, [line('ADJ-5', 'MAIN', '-6')]);
    expect(r.body.movements[0]).toMatchObject({ quantity: '-6', value: '-13' });
    expect(journalLines(r.body)).toEqual([
      { role: 'stock_adjustments', debit: '13.00', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '13.00' },
    ]);
    expect(await onHand(t.db, actor, 'ADJ-5')).toBe('4');
    await expectReconciled(t.db, actor);
  });

  it('nets gains and losses on the same account into one journal', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'ADJ-6');
    await givenPart(t.db, actor, 'ADJ-7');
    await receive(actor, [line('ADJ-6', 'MAIN', '5', '10'), line('ADJ-7', 'MAIN', '5', '4')]);
    // +1 x 10 and -2 x 4: stock up 2.00
    const r = await adjust(actor, [line('ADJ-6', 'MAIN', '1'), line('ADJ-7', 'MAIN', '-2')]);
    expect(r.body.movements.map((m) => [m.part, m.quantity, m.value])).toEqual([['ADJ-6', '1', '10'], ['ADJ-7', '-2', '-8']]);
    expect(journalLines(r.body)).toEqual([
      { role: 'raw_materials', debit: '2.00', credit: '0.00' },
      { role: 'stock_adjustments', debit: '0.00', credit: '2.00' },
    ]);
    await expectReconciled(t.db, actor);
  });
});

describe('malformed commands', () => {
  let actor: Actor;
  beforeAll(async () => {
    actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'BAD-1');
    await givenPart(t.db, actor, 'BAD-KG', { fractional: true, unit: 'kg' });
    await receive(actor, [line('BAD-1', 'MAIN', '10', '2'), line('BAD-KG', 'MAIN', '10', '2')]);
  });
  afterAll(async () => { await expectReconciled(t.db, actor); });

  const on = '2026-11-03';
  const cases: [string, () => StockCommand, { field: string; message: string }[]][] = [
    ['an issue of a negative quantity', () => ({ kind: 'issue', expenseRole: 'cogs', occurredOn: on, lines: [line('BAD-1', 'MAIN', '-2')] }), [{ field: 'lines.0.quantity', message: 'Quantity of BAD-1 must be greater than zero (got -2)' }]],
    ['a receipt of zero', () => ({ kind: 'receipt', occurredOn: on, lines: [line('BAD-1', 'MAIN', '0', '1')] }), [{ field: 'lines.0.quantity', message: 'Quantity of BAD-1 must be greater than zero (got 0)' }]],
    ['a receipt of a negative quantity', () => ({ kind: 'receipt', occurredOn: on, lines: [line('BAD-1', 'MAIN', '-5', '1')] }), [{ field: 'lines.0.quantity', message: 'Quantity of BAD-1 must be greater than zero (got -5)' }]],
    ['a transfer of a negative quantity', () => ({ kind: 'transfer', occurredOn: on, lines: [move('BAD-1', 'MAIN', 'B', '-2')] }), [{ field: 'lines.0.quantity', message: 'Quantity of BAD-1 must be greater than zero (got -2)' }]],
    ['an adjustment of zero', () => ({ kind: 'adjustment', occurredOn: on, lines: [line('BAD-1', 'MAIN', '0')] }), [{ field: 'lines.0.quantity', message: 'Quantity of BAD-1 must not be zero' }]],
    ['a negative unit cost', () => ({ kind: 'receipt', occurredOn: on, lines: [line('BAD-1', 'MAIN', '1', '-1')] }), [{ field: 'lines.0.unit_cost', message: 'Unit cost of BAD-1 must not be negative (got -1)' }]],
    ['a quantity finer than the 6 places stored', () => ({ kind: 'issue', expenseRole: 'cogs', occurredOn: on, lines: [line('BAD-KG', 'MAIN', '1.0000004')] }), [{ field: 'lines.0.quantity', message: 'Quantity of BAD-KG has too many decimal places (at most 6) (got 1.0000004)' }]],
    ['a unit cost finer than the 10 places stored', () => ({ kind: 'receipt', occurredOn: on, lines: [line('BAD-1', 'MAIN', '3', '0.12345678901')] }), [{ field: 'lines.0.unit_cost', message: 'Unit cost of BAD-1 has too many decimal places (at most 10)' }]],
    ['a fraction of a part counted in whole units', () => ({ kind: 'issue', expenseRole: 'cogs', occurredOn: on, lines: [line('BAD-1', 'MAIN', '1.5')] }), [{ field: 'lines.0.quantity', message: 'BAD-1 is counted in whole each; 1.5 is not a whole number' }]],
    ['a transfer to the same location', () => ({ kind: 'transfer', occurredOn: on, lines: [move('BAD-1', 'MAIN', 'MAIN', '2')] }), [{ field: 'lines.0.to', message: 'A transfer moves BAD-1 between two different locations (from and to are both MAIN)' }]],
    ['a receipt without a unit cost', () => ({ kind: 'receipt', occurredOn: on, lines: [line('BAD-1', 'MAIN', '1')] }), [{ field: 'lines.0.unit_cost', message: 'Unit cost is required for BAD-1' }]],
    ['an unknown location', () => ({ kind: 'receipt', occurredOn: on, lines: [line('BAD-1', 'NOWHERE', '1', '1')] }), [{ field: 'lines.0.location', message: 'Unknown location NOWHERE' }]],
    ['no lines at all', () => ({ kind: 'receipt', occurredOn: on, lines: [] }), [{ field: 'lines', message: 'Give at least one line' }]],
    ['problems on several lines', () => ({ kind: 'receipt', occurredOn: on, lines: [line('BAD-1', 'MAIN', '1'), line('NOPE', 'MAIN', '1', '1'), line('BAD-1', 'X', '1', '1')] }), [
      { field: 'lines.0.unit_cost', message: 'Unit cost is required for BAD-1' },
      { field: 'lines.1.part', message: 'Unknown part NOPE' },
      { field: 'lines.2.location', message: 'Unknown location X' },
    ]],
  ];

  it.each(cases)('refuses %s as Invalid, naming the field, and writes nothing', async (_name, cmd, fields) => {
    const err = await refused(actor, () => postStockEvent(t.db, actor, cmd()));
    expect(err).toBeInstanceOf(Invalid);
    expect(err.status).toBe(422);
    expect(err.fields).toEqual(fields);
  });

  it('refuses an unknown part as Invalid (422), naming the line', async () => {
    const err = await refused(actor, () => issue(actor, [line('NOPE', 'MAIN', '1')]));
    expect(err).toBeInstanceOf(Invalid);
    expect(err.status).toBe(422);
    expect(err.fields).toEqual([{ field: 'lines.0.part', message: 'Unknown part NOPE' }]);
  });

  it('answers NotFound when reversing an event id that is not an id at all', async () => {
    const err = await refused(actor, () => reverseStockEvent(t.db, actor, 'not-a-uuid', on, 'x'));
    expect(err).toBeInstanceOf(NotFound);
    expect(err.message).toBe('Stock event not-a-uuid was not found');
  });
});
