import { openTestDb, TestDb } from '../support/db';
import { givenOrganisation, givenPart } from '../support/builders';
import { expectReconciled, line, move, journalLines, onHand, openLayers, ledgerSnapshot, countRows } from '../support/ledger-checks';
import { postStockEvent } from '../../server/services/stock/post-event';
import { valuation } from '../../server/services/valuation';
import { partDetail } from '../../server/services/queries';
import { Conflict, InsufficientStock, Invalid } from '../../server/errors';
import { Actor, LineInput } from '../../server/services/stock/types';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const receive = (actor: Actor, lines: LineInput[], on = '2026-11-02') => postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: on, lines });
const issue = (actor: Actor, lines: LineInput[], on = '2026-11-05') => postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: on, lines });

async function serialRow(actor: Actor, sku: string, serial: string) {
  return t.db('serials as s')
    .join('parts as p', (j) => j.on('p.id', 's.part_id').andOn('p.tenant_id', 's.tenant_id'))
    .leftJoin('locations as l', (j) => j.on('l.id', 's.location_id').andOn('l.tenant_id', 's.tenant_id'))
    .where({ 's.tenant_id': actor.tenantId, 'p.sku': sku, 's.serial': serial })
    .first('s.status', 'l.code as location');
}

describe('transfers between locations', () => {
  it('moves FIFO layers to B at their own costs and posts no journal', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'TR-1');
    await postStockEvent(t.db, actor, { kind: 'opening_balance', occurredOn: '2026-11-01', lines: [line('TR-1', 'MAIN', '10', '2.00')] });
    await receive(actor, [line('TR-1', 'MAIN', '10', '3.00')]);
    const journalsBefore = await countRows(t.db, actor, 'journals');
    const outboxBefore = await countRows(t.db, actor, 'outbox');

    const tr = await postStockEvent(t.db, actor, { kind: 'transfer', occurredOn: '2026-11-03', lines: [move('TR-1', 'MAIN', 'B', '12')] });
    expect(tr.body.journal).toBeNull();
    expect(tr.body.movements).toEqual([
      expect.objectContaining({ location: 'MAIN', quantity: '-12', value: '-26' }),
      expect.objectContaining({ location: 'B', quantity: '12', value: '26' }),
    ]);
    expect(await countRows(t.db, actor, 'journals')).toBe(journalsBefore);
    expect(await countRows(t.db, actor, 'outbox')).toBe(outboxBefore);
    expect(await onHand(t.db, actor, 'TR-1', 'MAIN')).toBe('8');
    expect(await onHand(t.db, actor, 'TR-1', 'B')).toBe('12');
    expect(await openLayers(t.db, actor, 'TR-1', 'MAIN')).toEqual([['8', '24']]);
    expect(await openLayers(t.db, actor, 'TR-1', 'B')).toEqual([['10', '20'], ['2', '6']]);
    const v = await valuation(t.db, actor.tenantId);
    expect(v.total).toBe('50.00');
    expect(v.lines.map((l) => [l.location, l.quantity, l.value])).toEqual([['B', '12', '26.00'], ['MAIN', '8', '24.00']]);
    await expectReconciled(t.db, actor);

    // B's stock keeps its FIFO history: 10 x 2.00 + 1 x 3.00
    const out = await issue(actor, [line('TR-1', 'B', '11')]);
    expect(out.body.movements[0]).toMatchObject({ location: 'B', value: '-23' });
    expect(journalLines(out.body)).toEqual([
      { role: 'cogs', debit: '23.00', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '23.00' },
    ]);
    await expectReconciled(t.db, actor);
  });

  it('moves weighted-average stock at the exact average and keeps the total to the cent', async () => {
    const actor = await givenOrganisation(t.db, { method: 'weighted_average' });
    await givenPart(t.db, actor, 'TR-2');
    await receive(actor, [line('TR-2', 'MAIN', '1', '1')]);
    await receive(actor, [line('TR-2', 'MAIN', '2', '2')]);
    const tr = await postStockEvent(t.db, actor, { kind: 'transfer', occurredOn: '2026-11-03', lines: [move('TR-2', 'MAIN', 'B', '1')] });
    expect(tr.body.journal).toBeNull();
    expect(tr.body.movements.map((m) => m.value)).toEqual(['-1.6666666666666667', '1.6666666666666667']);
    expect(await openLayers(t.db, actor, 'TR-2', 'MAIN')).toEqual([['2', '3.3333333333333333']]);
    expect(await openLayers(t.db, actor, 'TR-2', 'B')).toEqual([['1', '1.6666666666666667']]);
    expect((await valuation(t.db, actor.tenantId)).total).toBe('5.00');
    await expectReconciled(t.db, actor);
  });

  it('refuses to move more than the source location holds, naming it, and writes nothing', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'TR-3');
    await receive(actor, [line('TR-3', 'MAIN', '3', '1')]);
    const before = await ledgerSnapshot(t.db, actor);
    const err = await postStockEvent(t.db, actor, { kind: 'transfer', occurredOn: '2026-11-03', lines: [move('TR-3', 'MAIN', 'B', '5')] }).catch((e) => e);
    expect(err).toBeInstanceOf(InsufficientStock);
    expect(err.message).toBe('Not enough TR-3 at MAIN: on hand 3, requested 5, short by 2');
    expect(await ledgerSnapshot(t.db, actor)).toEqual(before);
    await expectReconciled(t.db, actor);
  });
});

describe('serial-tracked parts', () => {
  async function givenSerialStock(actor: Actor, sku: string, serials: string[]) {
    await givenPart(t.db, actor, sku, { tracking: 'serial' });
    return receive(actor, [line(sku, 'MAIN', serials.length, '100', { serials })]);
  }

  it('receives one movement per serial and records each serial in stock at its location', async () => {
    const actor = await givenOrganisation(t.db);
    const r = await givenSerialStock(actor, 'SER-1', ['S1', 'S2', 'S3']);
    expect(r.body.movements.map((m) => [m.serial, m.quantity, m.value])).toEqual([['S1', '1', '100'], ['S2', '1', '100'], ['S3', '1', '100']]);
    expect(journalLines(r.body)).toEqual([
      { role: 'raw_materials', debit: '300.00', credit: '0.00' },
      { role: 'grni', debit: '0.00', credit: '300.00' },
    ]);
    for (const s of ['S1', 'S2', 'S3']) expect(await serialRow(actor, 'SER-1', s)).toEqual({ status: 'in_stock', location: 'MAIN' });
    expect(await onHand(t.db, actor, 'SER-1')).toBe('3');
    await expectReconciled(t.db, actor);
  });

  it.each([
    ['no serials', '2', [], 'SER-2 is serial-tracked: give one serial per unit (2 needed, 0 given)'],
    ['too few serials', '2', ['X1'], 'SER-2 is serial-tracked: give one serial per unit (2 needed, 1 given)'],
    ['too many serials', '1', ['X1', 'X2'], 'SER-2 is serial-tracked: give one serial per unit (1 needed, 2 given)'],
    ['a serial listed twice', '2', ['X1', 'X1'], 'Serial X1 of SER-2 is listed twice'],
  ])('refuses a receipt with %s, naming the serials field', async (_case, qty, serials, message) => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'SER-2', { tracking: 'serial' });
    const before = await ledgerSnapshot(t.db, actor);
    const err = await receive(actor, [line('SER-2', 'MAIN', qty, '5', { serials })]).catch((e) => e);
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'lines.0.serials', message }]);
    expect(await ledgerSnapshot(t.db, actor)).toEqual(before);
  });

  it('refuses a serial that is already in stock, and writes nothing', async () => {
    const actor = await givenOrganisation(t.db);
    await givenSerialStock(actor, 'SER-3', ['S1']);
    const before = await ledgerSnapshot(t.db, actor);
    const err = await receive(actor, [line('SER-3', 'B', '2', '100', { serials: ['S9', 'S1'] })]).catch((e) => e);
    expect(err).toBeInstanceOf(Conflict);
    expect(err.status).toBe(409);
    expect(err.message).toBe('Serial S1 of SER-3 is already in stock; a serial is unique per part');
    expect(err.fields).toEqual([{ field: 'lines.0.serials.1', message: err.message }]);
    expect(await ledgerSnapshot(t.db, actor)).toEqual(before);
    await expectReconciled(t.db, actor);
  });

  it('refuses to issue a serial that is not in stock', async () => {
    const actor = await givenOrganisation(t.db);
    await givenSerialStock(actor, 'SER-4', ['S1']);
    const before = await ledgerSnapshot(t.db, actor);
    const err = await issue(actor, [line('SER-4', 'MAIN', '1', undefined, { serials: ['S9'] })]).catch((e) => e);
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'lines.0.serials.0', message: 'Serial S9 of SER-4 cannot leave MAIN: it is not in stock' }]);
    expect(await ledgerSnapshot(t.db, actor)).toEqual(before);
  });

  it('moves a serial to B on transfer, after which it can leave B and not MAIN', async () => {
    const actor = await givenOrganisation(t.db);
    await givenSerialStock(actor, 'SER-5', ['S1', 'S2']);
    const tr = await postStockEvent(t.db, actor, { kind: 'transfer', occurredOn: '2026-11-03', lines: [move('SER-5', 'MAIN', 'B', '1', { serials: ['S2'] })] });
    expect(tr.body.journal).toBeNull();
    expect(tr.body.movements.map((m) => [m.location, m.serial, m.quantity])).toEqual([['MAIN', 'S2', '-1'], ['B', 'S2', '1']]);
    expect(await serialRow(actor, 'SER-5', 'S2')).toEqual({ status: 'in_stock', location: 'B' });
    expect(await serialRow(actor, 'SER-5', 'S1')).toEqual({ status: 'in_stock', location: 'MAIN' });
    expect((await partDetail(t.db, actor.tenantId, 'SER-5')).serials).toEqual([{ serial: 'S1', location: 'MAIN', lot: null }, { serial: 'S2', location: 'B', lot: null }]);

    const wrongPlace = await issue(actor, [line('SER-5', 'MAIN', '1', undefined, { serials: ['S2'] })]).catch((e) => e);
    expect(wrongPlace).toBeInstanceOf(Invalid);
    expect(wrongPlace.fields[0].message).toBe('Serial S2 of SER-5 cannot leave MAIN: it is at another location');

    const out = await issue(actor, [line('SER-5', 'B', '1', undefined, { serials: ['S2'] })]);
    expect(out.body.movements[0]).toMatchObject({ serial: 'S2', location: 'B', value: '-100' });
    expect(await serialRow(actor, 'SER-5', 'S2')).toEqual({ status: 'out', location: null });
    expect(await onHand(t.db, actor, 'SER-5', 'B')).toBe('0');
    await expectReconciled(t.db, actor);

    // A serial that has left can come back (a customer return).
    await receive(actor, [line('SER-5', 'MAIN', '1', '90', { serials: ['S2'] })], '2026-11-06');
    expect(await serialRow(actor, 'SER-5', 'S2')).toEqual({ status: 'in_stock', location: 'MAIN' });
    await expectReconciled(t.db, actor);
  });

  it('refuses serials on a part that is not serial-tracked, and fractions of a serial-tracked part', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'PLAIN-1');
    await givenPart(t.db, actor, 'SER-6', { tracking: 'serial' });
    const err = await receive(actor, [line('PLAIN-1', 'MAIN', '1', '1', { serials: ['S1'] }), line('SER-6', 'MAIN', '1.5', '1', { serials: ['A'] })]).catch((e) => e);
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([
      { field: 'lines.0.serials', message: 'PLAIN-1 is not serial-tracked; leave serials empty' },
      { field: 'lines.1.quantity', message: 'SER-6 is counted in whole each; 1.5 is not a whole number' },
      { field: 'lines.1.serials', message: 'SER-6 is serial-tracked: give one serial per unit (1.5 needed, 1 given)' },
    ]);
    expect(await countRows(t.db, actor, 'stock_movements')).toBe(0);
  });
});

describe('lot-tracked parts', () => {
  it('requires the batch code', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'LOT-1', { tracking: 'lot' });
    const err = await receive(actor, [line('LOT-1', 'MAIN', '5', '2')]).catch((e) => e);
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'lines.0.lot', message: 'LOT-1 is lot-tracked: give the batch code' }]);
    expect(await countRows(t.db, actor, 'stock_events')).toBe(0);
  });

  it('refuses a batch code on a part that is not lot-tracked', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'PLAIN-2');
    const err = await receive(actor, [line('PLAIN-2', 'MAIN', '5', '2', { lot: 'A' })]).catch((e) => e);
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'lines.0.lot', message: 'PLAIN-2 is not lot-tracked; leave lot empty' }]);
  });

  it('keeps a balance per lot and checks the issued lot, not the part total', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'LOT-2', { tracking: 'lot' });
    await receive(actor, [line('LOT-2', 'MAIN', '5', '2', { lot: 'A' }), line('LOT-2', 'MAIN', '5', '3', { lot: 'B' })]);
    expect(await onHand(t.db, actor, 'LOT-2', 'MAIN', 'A')).toBe('5');
    expect(await onHand(t.db, actor, 'LOT-2', 'MAIN', 'B')).toBe('5');

    const before = await ledgerSnapshot(t.db, actor);
    const err = await issue(actor, [line('LOT-2', 'MAIN', '6', undefined, { lot: 'A' })]).catch((e) => e);
    expect(err).toBeInstanceOf(InsufficientStock);
    expect(err.message).toBe('Not enough LOT-2 (lot A) at MAIN: on hand 5, requested 6, short by 1');
    expect(err.detail).toMatchObject({ part: 'LOT-2', location: 'MAIN', lot: 'A', onHand: '5', shortBy: '1' });
    expect(await ledgerSnapshot(t.db, actor)).toEqual(before);

    const unknownLot = await issue(actor, [line('LOT-2', 'MAIN', '1', undefined, { lot: 'Z' })]).catch((e) => e);
    expect(unknownLot).toBeInstanceOf(InsufficientStock);
    expect(unknownLot.message).toBe('Not enough LOT-2 (lot Z) at MAIN: on hand 0, requested 1, short by 1');

    const out = await issue(actor, [line('LOT-2', 'MAIN', '4', undefined, { lot: 'A' })]);
    expect(out.body.movements[0]).toMatchObject({ lot: 'A', quantity: '-4' });
    expect(await onHand(t.db, actor, 'LOT-2', 'MAIN', 'A')).toBe('1');
    expect(await onHand(t.db, actor, 'LOT-2', 'MAIN', 'B')).toBe('5');
    await expectReconciled(t.db, actor);

    const tr = await postStockEvent(t.db, actor, { kind: 'transfer', occurredOn: '2026-11-06', lines: [move('LOT-2', 'MAIN', 'B', '2', { lot: 'B' })] });
    expect(tr.body.movements.map((m) => [m.location, m.lot, m.quantity])).toEqual([['MAIN', 'B', '-2'], ['B', 'B', '2']]);
    expect(await onHand(t.db, actor, 'LOT-2', 'MAIN', 'B')).toBe('3');
    expect(await onHand(t.db, actor, 'LOT-2', 'B', 'B')).toBe('2');
    expect((await partDetail(t.db, actor.tenantId, 'LOT-2')).balances.map((b) => [b.location, b.lot, b.on_hand])).toEqual([
      ['B', 'B', '2'], ['MAIN', 'A', '1'], ['MAIN', 'B', '3'],
    ]);
    await expectReconciled(t.db, actor);
  });
});
