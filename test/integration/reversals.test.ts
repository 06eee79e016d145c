import { openTestDb, TestDb } from '../support/db';
import { givenOrganisation, givenPart } from '../support/builders';
import { expectReconciled, line, move, journalLines, onHand, openLayers, ledgerSnapshot } from '../support/ledger-checks';
import { expectRefused } from '../support/ledger-checks';
import { postStockEvent } from '../../server/services/stock/post-event';
import { reverseStockEvent } from '../../server/services/stock/reverse-event';
import { eventDetail } from '../../server/services/queries';
import { Conflict, InsufficientStock, Invalid, NotFound } from '../../server/errors';
import { Actor, LineInput } from '../../server/services/stock/types';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const receive = (actor: Actor, lines: LineInput[], on = '2026-11-02') => postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: on, reference: 'PO-9', lines });
const issue = (actor: Actor, lines: LineInput[], on = '2026-11-05') => postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: on, lines });
const reverse = (actor: Actor, eventId: string, on = '2026-11-07', reason = 'entered in error') => reverseStockEvent(t.db, actor, eventId, on, reason);

const refused = (actor: Actor, run: () => Promise<unknown>) => expectRefused(t.db, actor, run);

describe('reversing a receipt', () => {
  it('takes the stock back out at its value, points at the original and posts Dr GRNI / Cr stock', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-1');
    const r = await receive(actor, [line('REV-1', 'MAIN', '10', '3')]);
    const originalRows = await t.db('stock_movements').where({ tenant_id: actor.tenantId, event_id: r.body.id });

    const rev = await reverse(actor, r.body.id, '2026-11-07', 'wrong supplier');
    expect(rev.status).toBe(201);
    expect(rev.body).toMatchObject({ kind: 'reversal', reverses_event_id: r.body.id, reference: 'PO-9', reason: 'wrong supplier', occurred_on: '2026-11-07' });
    expect(rev.body.movements).toEqual([expect.objectContaining({ part: 'REV-1', location: 'MAIN', quantity: '-10', value: '-30' })]);
    expect(journalLines(rev.body)).toEqual([
      { role: 'grni', debit: '30.00', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '30.00' },
    ]);
    expect(rev.body.journal!.narration).toBe('Reversal PO-9: REV-1 (wrong supplier) [Perpetua]');

    const row = await t.db('stock_movements').where({ tenant_id: actor.tenantId, id: rev.body.movements[0].id }).first();
    expect(row.reverses_movement_id).toBe(r.body.movements[0].id);
    // The original is untouched: a correction is a new movement.
    expect(await t.db('stock_movements').where({ tenant_id: actor.tenantId, event_id: r.body.id })).toEqual(originalRows);
    expect((await eventDetail(t.db, actor.tenantId, r.body.id)).reversed_by_event_id).toBe(rev.body.id);
    expect(await onHand(t.db, actor, 'REV-1')).toBe('0');
    expect(await openLayers(t.db, actor, 'REV-1')).toEqual([]);
    await expectReconciled(t.db, actor);
  });

  it('is refused when the receipt\'s own layer has been drawn on, even with enough other stock on hand', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-2');
    const first = await receive(actor, [line('REV-2', 'MAIN', '5', '2')]);
    await receive(actor, [line('REV-2', 'MAIN', '5', '3')]);
    await issue(actor, [line('REV-2', 'MAIN', '3')]); // FIFO: 3 of the first receipt

    const err = await refused(actor, () => reverse(actor, first.body.id));
    expect(err).toBeInstanceOf(Conflict);
    expect(err.status).toBe(409);
    expect(err.message).toBe('REV-2 from this movement has already been issued (only 2 of it is left at MAIN); reverse the later issues first or post an adjustment');
    await expectReconciled(t.db, actor);
  });

  it('is refused as a shortage when less than the received quantity is left on hand', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-2B');
    await receive(actor, [line('REV-2B', 'MAIN', '5', '2')]);
    const second = await receive(actor, [line('REV-2B', 'MAIN', '5', '3')]);
    await issue(actor, [line('REV-2B', 'MAIN', '8')]);
    const err = await refused(actor, () => reverse(actor, second.body.id));
    expect(err).toBeInstanceOf(InsufficientStock);
    expect(err.message).toBe('Not enough REV-2B at MAIN: on hand 2, requested 5, short by 3');
    await expectReconciled(t.db, actor);
  });

  it('takes a weighted-average receipt back out at the value it came in with', async () => {
    const actor = await givenOrganisation(t.db, { method: 'weighted_average' });
    await givenPart(t.db, actor, 'REV-3');
    await receive(actor, [line('REV-3', 'MAIN', '10', '2')]);
    const second = await receive(actor, [line('REV-3', 'MAIN', '10', '4')]);
    const rev = await reverse(actor, second.body.id);
    expect(rev.body.movements[0]).toMatchObject({ quantity: '-10', value: '-40' });
    expect(journalLines(rev.body)).toEqual([
      { role: 'grni', debit: '40.00', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '40.00' },
    ]);
    expect(await openLayers(t.db, actor, 'REV-3')).toEqual([['10', '20']]);
    await expectReconciled(t.db, actor);
  });

  it('refuses a weighted-average receipt reversal once stock has been issued at an average that included it', async () => {
    const actor = await givenOrganisation(t.db, { method: 'weighted_average' });
    await givenPart(t.db, actor, 'REV-4');
    await receive(actor, [line('REV-4', 'MAIN', '10', '2')]);
    const r = await receive(actor, [line('REV-4', 'MAIN', '10', '4')]);
    await issue(actor, [line('REV-4', 'MAIN', '5')]);
    const err = await refused(actor, () => reverse(actor, r.body.id));
    expect(err).toBeInstanceOf(Conflict);
    expect(err.message).toMatch(/^REV-4 has been issued from MAIN since, at an average cost that included this receipt/);
    expect(await onHand(t.db, actor, 'REV-4')).toBe('15');
    await expectReconciled(t.db, actor);
  });

  it('reverses a weighted-average receipt at its own cost while nothing has been issued since', async () => {
    const actor = await givenOrganisation(t.db, { method: 'weighted_average' });
    await givenPart(t.db, actor, 'REV-4B');
    await receive(actor, [line('REV-4B', 'MAIN', '10', '2')]);
    const r = await receive(actor, [line('REV-4B', 'MAIN', '10', '4')]);
    const rev = await reverse(actor, r.body.id);
    expect(rev.body.movements.map((m: { quantity: string; value: string }) => [m.quantity, m.value])).toEqual([['-10', '-40']]);
    expect(await openLayers(t.db, actor, 'REV-4B')).toEqual([['10', '20']]);
    await expectReconciled(t.db, actor);
  });

  it('refuses a reversal dated before the event it reverses, naming occurred_on', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-4C');
    const r = await receive(actor, [line('REV-4C', 'MAIN', '10', '2')]);
    const err = await refused(actor, () => reverseStockEvent(t.db, actor, r.body.id, '2026-01-01', 'too early'));
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'occurred_on', message: `A reversal cannot be dated before the event it reverses (${r.body.occurred_on}); use ${r.body.occurred_on} or later` }]);
  });
});

describe('reversing an issue', () => {
  it('puts FIFO stock back into the layers it came from, at their costs, and posts Dr stock / Cr COGS', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-5');
    await receive(actor, [line('REV-5', 'MAIN', '5', '2')]);
    await receive(actor, [line('REV-5', 'MAIN', '5', '3')]);
    const out = await issue(actor, [line('REV-5', 'MAIN', '7')]); // 5 x 2 + 2 x 3 = 16
    expect(await openLayers(t.db, actor, 'REV-5')).toEqual([['3', '9']]);

    const rev = await reverse(actor, out.body.id);
    expect(rev.body.movements[0]).toMatchObject({ quantity: '7', value: '16' });
    expect(journalLines(rev.body)).toEqual([
      { role: 'raw_materials', debit: '16.00', credit: '0.00' },
      { role: 'cogs', debit: '0.00', credit: '16.00' },
    ]);
    expect(await openLayers(t.db, actor, 'REV-5')).toEqual([['5', '10'], ['5', '15']]);
    await expectReconciled(t.db, actor);

    // The restored oldest layer is the first to go again.
    const again = await issue(actor, [line('REV-5', 'MAIN', '6')], '2026-11-08');
    expect(again.body.movements[0].value).toBe('-13');
    await expectReconciled(t.db, actor);
  });

  it('puts weighted-average stock back into the open layer and re-averages', async () => {
    const actor = await givenOrganisation(t.db, { method: 'weighted_average' });
    await givenPart(t.db, actor, 'REV-6');
    await receive(actor, [line('REV-6', 'MAIN', '10', '2')]);
    const out = await issue(actor, [line('REV-6', 'MAIN', '4')]); // 8.00
    await receive(actor, [line('REV-6', 'MAIN', '6', '4')], '2026-11-06'); // 6 x 2 + 6 x 4 = 12 worth 36
    const rev = await reverse(actor, out.body.id);
    expect(rev.body.movements[0]).toMatchObject({ quantity: '4', value: '8' });
    expect(journalLines(rev.body)[0]).toEqual({ role: 'raw_materials', debit: '8.00', credit: '0.00' });
    expect(await openLayers(t.db, actor, 'REV-6')).toEqual([['16', '44']]);
    await expectReconciled(t.db, actor);
  });

  it('restores a recurring-average issue exactly, to the sixteenth place', async () => {
    const actor = await givenOrganisation(t.db, { method: 'weighted_average' });
    await givenPart(t.db, actor, 'REV-7');
    await receive(actor, [line('REV-7', 'MAIN', '1', '1'), line('REV-7', 'MAIN', '2', '2')]);
    const out = await issue(actor, [line('REV-7', 'MAIN', '1')]);
    expect(journalLines(out.body)[0]).toEqual({ role: 'cogs', debit: '1.67', credit: '0.00' });
    const rev = await reverse(actor, out.body.id);
    expect(rev.body.movements[0].value).toBe('1.6666666666666667');
    expect(journalLines(rev.body)[0]).toEqual({ role: 'raw_materials', debit: '1.67', credit: '0.00' });
    expect(await openLayers(t.db, actor, 'REV-7')).toEqual([['3', '5']]);
    await expectReconciled(t.db, actor);
  });

  it('brings an issued serial back into stock where it left', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-8', { tracking: 'serial' });
    await receive(actor, [line('REV-8', 'B', '2', '50', { serials: ['A1', 'A2'] })]);
    const out = await issue(actor, [line('REV-8', 'B', '1', undefined, { serials: ['A2'] })]);
    await reverse(actor, out.body.id);
    const row = await t.db('serials').where({ tenant_id: actor.tenantId, serial: 'A2' }).first();
    expect(row.status).toBe('in_stock');
    expect(await onHand(t.db, actor, 'REV-8', 'B')).toBe('2');
    await expectReconciled(t.db, actor);
  });

  it('brings a lot issue back into that lot', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-9', { tracking: 'lot' });
    await receive(actor, [line('REV-9', 'MAIN', '5', '1', { lot: 'L1' }), line('REV-9', 'MAIN', '5', '1', { lot: 'L2' })]);
    const out = await issue(actor, [line('REV-9', 'MAIN', '4', undefined, { lot: 'L2' })]);
    expect(await onHand(t.db, actor, 'REV-9', 'MAIN', 'L2')).toBe('1');
    const rev = await reverse(actor, out.body.id);
    expect(rev.body.movements[0]).toMatchObject({ lot: 'L2', quantity: '4' });
    expect(await onHand(t.db, actor, 'REV-9', 'MAIN', 'L2')).toBe('5');
    expect(await onHand(t.db, actor, 'REV-9', 'MAIN', 'L1')).toBe('5');
    await expectReconciled(t.db, actor);
  });
});

describe('reversing a transfer', () => {
  it('moves the stock back with its layers and posts no journal', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-10');
    await receive(actor, [line('REV-10', 'MAIN', '10', '2')]);
    await receive(actor, [line('REV-10', 'MAIN', '10', '3')]);
    const tr = await postStockEvent(t.db, actor, { kind: 'transfer', occurredOn: '2026-11-03', lines: [move('REV-10', 'MAIN', 'B', '12')] });
    const rev = await reverse(actor, tr.body.id);
    expect(rev.body.journal).toBeNull();
    expect(rev.body.movements.map((m) => [m.location, m.quantity, m.value])).toEqual([['B', '-12', '-26'], ['MAIN', '12', '26']]);
    expect(await onHand(t.db, actor, 'REV-10', 'MAIN')).toBe('20');
    expect(await onHand(t.db, actor, 'REV-10', 'B')).toBe('0');
    expect(await openLayers(t.db, actor, 'REV-10', 'MAIN')).toEqual([['10', '20'], ['10', '30']]);
    expect(await openLayers(t.db, actor, 'REV-10', 'B')).toEqual([]);
    expect(await t.db('journals').where({ tenant_id: actor.tenantId, event_id: rev.body.id })).toEqual([]);
    await expectReconciled(t.db, actor);
  });

  it('puts a transferred serial back at the source location', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-11', { tracking: 'serial' });
    await receive(actor, [line('REV-11', 'MAIN', '2', '10', { serials: ['X1', 'X2'] })]);
    const tr = await postStockEvent(t.db, actor, { kind: 'transfer', occurredOn: '2026-11-03', lines: [move('REV-11', 'MAIN', 'B', '2', { serials: ['X1', 'X2'] })] });
    await reverse(actor, tr.body.id);
    const rows = await t.db('serials as s').join('locations as l', (j) => j.on('l.id', 's.location_id').andOn('l.tenant_id', 's.tenant_id'))
      .where({ 's.tenant_id': actor.tenantId }).orderBy('s.serial').select('s.serial', 's.status', 'l.code');
    expect(rows).toEqual([{ serial: 'X1', status: 'in_stock', code: 'MAIN' }, { serial: 'X2', status: 'in_stock', code: 'MAIN' }]);
    await expectReconciled(t.db, actor);
  });

  it('is refused once stock moved by it has been issued at the destination', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-12');
    await receive(actor, [line('REV-12', 'MAIN', '10', '2')]);
    const tr = await postStockEvent(t.db, actor, { kind: 'transfer', occurredOn: '2026-11-03', lines: [move('REV-12', 'MAIN', 'B', '4')] });
    await issue(actor, [line('REV-12', 'B', '1')]);
    const err = await refused(actor, () => reverse(actor, tr.body.id));
    expect(err).toBeInstanceOf(InsufficientStock);
    expect(err.message).toBe('Not enough REV-12 at B: on hand 3, requested 4, short by 1');
    await expectReconciled(t.db, actor);
  });

  it('is refused when the destination\'s layer from the transfer has been drawn on', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-12B');
    await receive(actor, [line('REV-12B', 'MAIN', '10', '2')]);
    await receive(actor, [line('REV-12B', 'B', '5', '9')], '2026-11-01');
    const tr = await postStockEvent(t.db, actor, { kind: 'transfer', occurredOn: '2026-11-03', lines: [move('REV-12B', 'MAIN', 'B', '4')] });
    await receive(actor, [line('REV-12B', 'B', '5', '7')], '2026-11-03');
    // FIFO at B: the 5 at 9.00 from before, then 2 of the 4 the transfer brought; 7 stay on hand.
    const out = await issue(actor, [line('REV-12B', 'B', '7')], '2026-11-04');
    expect(out.body.movements[0].value).toBe('-49');
    const err = await refused(actor, () => reverse(actor, tr.body.id));
    expect(err).toBeInstanceOf(Conflict);
    expect(err.message).toContain('only 2 of it is left at B');
    await expectReconciled(t.db, actor);
  });
});

describe('reversing an adjustment', () => {
  it('undoes a count gain with Dr stock adjustments / Cr stock', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-13');
    await receive(actor, [line('REV-13', 'MAIN', '5', '4')]);
    const gain = await postStockEvent(t.db, actor, { kind: 'adjustment', occurredOn: '2026-11-04', lines: [line('REV-13', 'MAIN', '2')] });
    const rev = await reverse(actor, gain.body.id);
    expect(journalLines(rev.body)).toEqual([
      { role: 'stock_adjustments', debit: '8.00', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '8.00' },
    ]);
    expect(await onHand(t.db, actor, 'REV-13')).toBe('5');
    expect(await openLayers(t.db, actor, 'REV-13')).toEqual([['5', '20']]);
    await expectReconciled(t.db, actor);
  });

  it('undoes a count loss with Dr stock / Cr stock adjustments, back into its layers', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-14');
    await receive(actor, [line('REV-14', 'MAIN', '5', '4')]);
    await receive(actor, [line('REV-14', 'MAIN', '5', '6')]);
    const loss = await postStockEvent(t.db, actor, { kind: 'adjustment', occurredOn: '2026-11-04', lines: [line('REV-14', 'MAIN', '-7')] }); // 20 + 12
    expect(journalLines(loss.body)[0]).toEqual({ role: 'stock_adjustments', debit: '32.00', credit: '0.00' });
    const rev = await reverse(actor, loss.body.id);
    expect(journalLines(rev.body)).toEqual([
      { role: 'raw_materials', debit: '32.00', credit: '0.00' },
      { role: 'stock_adjustments', debit: '0.00', credit: '32.00' },
    ]);
    expect(await openLayers(t.db, actor, 'REV-14')).toEqual([['5', '20'], ['5', '30']]);
    await expectReconciled(t.db, actor);
  });
});

describe('what cannot be reversed', () => {
  it('refuses to reverse an event twice, naming the first reversal, and writes nothing', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-15');
    const r = await receive(actor, [line('REV-15', 'MAIN', '3', '1')]);
    const first = await reverse(actor, r.body.id);
    const err = await refused(actor, () => reverse(actor, r.body.id));
    expect(err).toBeInstanceOf(Conflict);
    expect(err).toMatchObject({ code: 'conflict', status: 409 });
    expect(err.message).toBe(`This event was already reversed by event ${first.body.id}`);
    await expectReconciled(t.db, actor);
  });

  it('refuses to reverse a reversal', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'REV-16');
    const r = await receive(actor, [line('REV-16', 'MAIN', '3', '1')]);
    const rev = await reverse(actor, r.body.id);
    const err = await refused(actor, () => reverse(actor, rev.body.id));
    expect(err).toBeInstanceOf(Conflict);
    expect(err.message).toBe('A reversal cannot itself be reversed; record the event again instead');
  });

  it('answers NotFound for an event that does not exist', async () => {
    const actor = await givenOrganisation(t.db);
    const err = await refused(actor, () => reverse(actor, '00000000-0000-4000-8000-000000000000'));
    expect(err).toBeInstanceOf(NotFound);
    expect(err.status).toBe(404);
  });
});
