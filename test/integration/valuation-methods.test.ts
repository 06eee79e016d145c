import { openTestDb, TestDb } from '../support/db';
import { givenOrganisation, givenPart } from '../support/builders';
import { expectReconciled, line, move, journalLines, onHand, openLayers } from '../support/ledger-checks';
import { postStockEvent } from '../../server/services/stock/post-event';
import { getSettings, updateSettings } from '../../server/services/settings';
import { valuation } from '../../server/services/valuation';
import { LIFO_REFUSED_REASON } from '../../server/domain/costing';
import { Invalid } from '../../server/errors';
import { Actor } from '../../server/services/stock/types';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const receive = (actor: Actor, sku: string, qty: string, cost: string, on = '2026-11-02') =>
  postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: on, reference: 'PO-1', lines: [line(sku, 'MAIN', qty, cost)] });
const issue = (actor: Actor, sku: string, qty: string, on = '2026-11-10') =>
  postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: on, lines: [line(sku, 'MAIN', qty)] });

describe('FIFO', () => {
  it('values issues from the oldest layers first and leaves the newest on hand', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'FIFO-1');
    const r1 = await receive(actor, 'FIFO-1', '5', '4.00');
    await receive(actor, 'FIFO-1', '10', '4.60');
    await receive(actor, 'FIFO-1', '5', '5.20');
    expect(journalLines(r1.body)).toEqual([
      { role: 'raw_materials', debit: '20.00', credit: '0.00' },
      { role: 'grni', debit: '0.00', credit: '20.00' },
    ]);

    // 5 x 4.00 + 2 x 4.60 = 29.20
    const first = await issue(actor, 'FIFO-1', '7');
    expect(first.body.movements).toEqual([expect.objectContaining({ part: 'FIFO-1', location: 'MAIN', quantity: '-7', value: '-29.2' })]);
    expect(journalLines(first.body)).toEqual([
      { role: 'cogs', debit: '29.20', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '29.20' },
    ]);
    await expectReconciled(t.db, actor);

    // 8 x 4.60 + 2 x 5.20 = 47.20
    const second = await issue(actor, 'FIFO-1', '10');
    expect(second.body.movements[0]).toMatchObject({ quantity: '-10', value: '-47.2', unit_cost: '4.72' });
    expect(journalLines(second.body)).toEqual([
      { role: 'cogs', debit: '47.20', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '47.20' },
    ]);

    expect(await openLayers(t.db, actor, 'FIFO-1')).toEqual([['3', '15.6']]);
    expect(await onHand(t.db, actor, 'FIFO-1')).toBe('3');
    const v = await valuation(t.db, actor.tenantId);
    expect(v.total).toBe('15.60');
    expect(v.lines).toEqual([expect.objectContaining({ sku: 'FIFO-1', location: 'MAIN', quantity: '3', value: '15.60' })]);
    await expectReconciled(t.db, actor);
  });

  it('records which layers each issue drew from', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'FIFO-2');
    await receive(actor, 'FIFO-2', '2', '1.50');
    await receive(actor, 'FIFO-2', '2', '2.50');
    const out = await issue(actor, 'FIFO-2', '3');
    const rows = await t.db('layer_consumptions as c')
      .join('cost_layers as l', (j) => j.on('l.id', 'c.layer_id').andOn('l.tenant_id', 'c.tenant_id'))
      .where({ 'c.tenant_id': actor.tenantId, 'c.movement_id': out.body.movements[0].id })
      .orderBy('l.seq')
      .select('c.quantity', 'c.value', 'l.unit_cost');
    expect(rows.map((r) => [Number(r.quantity), Number(r.value), Number(r.unit_cost)])).toEqual([[2, 3, 1.5], [1, 2.5, 2.5]]);
    await expectReconciled(t.db, actor);
  });

  it('carries rounding per part so three issues of a third of a cent still reconcile to the cent', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'FIFO-3');
    // 3 x 0.335 = 1.005, posted as 1.01
    const r = await receive(actor, 'FIFO-3', '3', '0.335');
    expect(journalLines(r.body)[0]).toEqual({ role: 'raw_materials', debit: '1.01', credit: '0.00' });
    const credits: string[] = [];
    for (let i = 0; i < 3; i++) {
      const out = await issue(actor, 'FIFO-3', '1');
      expect(out.body.movements[0].value).toBe('-0.335');
      credits.push(journalLines(out.body).find((l) => l.role === 'raw_materials')!.credit);
      await expectReconciled(t.db, actor);
    }
    // Exact value after each issue: 0.670 -> 0.67, 0.335 -> 0.34, 0 -> 0.00
    expect(credits).toEqual(['0.34', '0.33', '0.34']);
    const [{ total }] = await t.db('journal_lines').where({ tenant_id: actor.tenantId, account_role: 'raw_materials' }).sum({ total: 'amount' });
    expect(Number(total)).toBe(0);
  });

  it('posts a made part to finished goods and sums several parts into one journal', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'BOUGHT-1');
    await givenPart(t.db, actor, 'BOUGHT-2');
    await givenPart(t.db, actor, 'MADE-1', { source: 'made' });
    const r = await postStockEvent(t.db, actor, {
      kind: 'receipt',
      occurredOn: '2026-11-02',
      lines: [line('BOUGHT-1', 'MAIN', '2', '10'), line('BOUGHT-2', 'MAIN', '3', '1.25'), line('MADE-1', 'MAIN', '1', '99.99')],
    });
    expect(journalLines(r.body)).toEqual(expect.arrayContaining([
      { role: 'raw_materials', debit: '23.75', credit: '0.00' },
      { role: 'finished_goods', debit: '99.99', credit: '0.00' },
      { role: 'grni', debit: '0.00', credit: '123.74' },
    ]));
    expect(r.body.journal!.lines).toHaveLength(3);
    const out = await postStockEvent(t.db, actor, {
      kind: 'issue',
      expenseRole: 'cogs',
      occurredOn: '2026-11-03',
      lines: [line('BOUGHT-1', 'MAIN', '1'), line('BOUGHT-2', 'MAIN', '1'), line('MADE-1', 'MAIN', '1')],
    });
    expect(journalLines(out.body)).toEqual(expect.arrayContaining([
      { role: 'cogs', debit: '111.24', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '11.25' },
      { role: 'finished_goods', debit: '0.00', credit: '99.99' },
    ]));
    expect(out.body.journal!.lines).toHaveLength(3);
    await expectReconciled(t.db, actor);
  });

  it('posts scrap issues to the scrap account', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'SCRAP-1');
    await receive(actor, 'SCRAP-1', '4', '2.50');
    const out = await postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'scrap', occurredOn: '2026-11-04', reason: 'dropped', lines: [line('SCRAP-1', 'MAIN', '1')] });
    expect(journalLines(out.body)).toEqual([
      { role: 'scrap', debit: '2.50', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '2.50' },
    ]);
    expect(out.body.journal!.narration).toBe('Stock issue: SCRAP-1 (dropped) [Perpetua]');
    await expectReconciled(t.db, actor);
  });
});

describe('LIFO (US GAAP)', () => {
  it('values issues from the newest layers first', async () => {
    const actor = await givenOrganisation(t.db, { method: 'lifo', framework: 'US_GAAP' });
    await givenPart(t.db, actor, 'LIFO-1');
    await receive(actor, 'LIFO-1', '5', '4.00');
    await receive(actor, 'LIFO-1', '10', '4.60');
    await receive(actor, 'LIFO-1', '5', '5.20');

    // 5 x 5.20 + 2 x 4.60 = 35.20
    const first = await issue(actor, 'LIFO-1', '7');
    expect(first.body.movements[0]).toMatchObject({ quantity: '-7', value: '-35.2' });
    expect(journalLines(first.body)).toEqual([
      { role: 'cogs', debit: '35.20', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '35.20' },
    ]);
    await expectReconciled(t.db, actor);

    await receive(actor, 'LIFO-1', '4', '6.00', '2026-11-11');
    // 4 x 6.00 + 2 x 4.60 = 33.20
    const second = await issue(actor, 'LIFO-1', '6', '2026-11-12');
    expect(second.body.movements[0]).toMatchObject({ quantity: '-6', value: '-33.2' });
    expect(journalLines(second.body)).toEqual([
      { role: 'cogs', debit: '33.20', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '33.20' },
    ]);

    expect(await openLayers(t.db, actor, 'LIFO-1')).toEqual([['5', '20'], ['6', '27.6']]);
    expect((await valuation(t.db, actor.tenantId)).total).toBe('47.60');
    await expectReconciled(t.db, actor);
  });

  it('keeps the receipt order of transferred layers, so the newest units are still issued first at the destination', async () => {
    const actor = await givenOrganisation(t.db, { method: 'lifo', framework: 'US_GAAP' });
    await givenPart(t.db, actor, 'LIFO-2');
    await receive(actor, 'LIFO-2', '10', '1.00', '2026-11-02');
    await receive(actor, 'LIFO-2', '10', '2.00', '2026-11-03');
    // LIFO draws 10 x 2.00 + 5 x 1.00 = 25.00 from MAIN; B holds them oldest first, as MAIN recorded them.
    const moved = await postStockEvent(t.db, actor, { kind: 'transfer', occurredOn: '2026-11-04', lines: [move('LIFO-2', 'MAIN', 'B', '15')] });
    expect(moved.body.movements.map((m) => [m.location, m.quantity, m.value])).toEqual([['MAIN', '-15', '-25'], ['B', '15', '25']]);
    expect(await openLayers(t.db, actor, 'LIFO-2', 'B')).toEqual([['5', '5'], ['10', '20']]);
    expect(await openLayers(t.db, actor, 'LIFO-2', 'MAIN')).toEqual([['5', '5']]);

    const issueAtB = (qty: string) => postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-05', lines: [line('LIFO-2', 'B', qty)] });
    // The newest units first: 5 x 2.00 = 10.00, then 5 x 2.00 = 10.00, then the older 5 x 1.00 = 5.00.
    const first = await issueAtB('5');
    expect(first.body.movements[0]).toMatchObject({ quantity: '-5', value: '-10', unit_cost: '2' });
    expect(journalLines(first.body)).toEqual([
      { role: 'cogs', debit: '10.00', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '10.00' },
    ]);
    expect((await issueAtB('5')).body.movements[0]).toMatchObject({ quantity: '-5', value: '-10' });
    expect((await issueAtB('5')).body.movements[0]).toMatchObject({ quantity: '-5', value: '-5', unit_cost: '1' });
    expect(await openLayers(t.db, actor, 'LIFO-2', 'B')).toEqual([]);
    expect((await valuation(t.db, actor.tenantId)).total).toBe('5.00');
    await expectReconciled(t.db, actor);
  });
});

describe('weighted average', () => {
  it('re-averages on every receipt and issues at the average', async () => {
    const actor = await givenOrganisation(t.db, { method: 'weighted_average' });
    await givenPart(t.db, actor, 'AVG-1');
    await receive(actor, 'AVG-1', '10', '2.00');
    await receive(actor, 'AVG-1', '5', '3.50');
    // 15 on hand worth 37.50: one layer at 2.50
    expect(await openLayers(t.db, actor, 'AVG-1')).toEqual([['15', '37.5']]);

    const first = await issue(actor, 'AVG-1', '6');
    expect(first.body.movements[0]).toMatchObject({ quantity: '-6', unit_cost: '2.5', value: '-15' });
    expect(journalLines(first.body)).toEqual([
      { role: 'cogs', debit: '15.00', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '15.00' },
    ]);
    await expectReconciled(t.db, actor);

    // 9 worth 22.50 plus 3 at 4.50 = 12 worth 36.00: 3.00 each
    await receive(actor, 'AVG-1', '3', '4.50', '2026-11-11');
    expect(await openLayers(t.db, actor, 'AVG-1')).toEqual([['12', '36']]);
    const second = await issue(actor, 'AVG-1', '12', '2026-11-12');
    expect(second.body.movements[0]).toMatchObject({ quantity: '-12', unit_cost: '3', value: '-36' });
    expect(await openLayers(t.db, actor, 'AVG-1')).toEqual([]);
    expect(await onHand(t.db, actor, 'AVG-1')).toBe('0');
    await expectReconciled(t.db, actor);
  });

  it('keeps a recurring average exact to 16 places and posts whole cents that add back to the total', async () => {
    const actor = await givenOrganisation(t.db, { method: 'weighted_average' });
    await givenPart(t.db, actor, 'AVG-2');
    await receive(actor, 'AVG-2', '1', '1.00');
    await receive(actor, 'AVG-2', '2', '2.00');
    // 3 worth 5.00, 1.666... each
    const values: string[] = [];
    const credits: string[] = [];
    for (let i = 0; i < 3; i++) {
      const out = await issue(actor, 'AVG-2', '1');
      values.push(out.body.movements[0].value);
      credits.push(journalLines(out.body).find((l) => l.role === 'raw_materials')!.credit);
      await expectReconciled(t.db, actor);
    }
    // 5/3 rounded half-up at 16 places; then 3.3333333333333333 / 2; then everything left
    expect(values).toEqual(['-1.6666666666666667', '-1.6666666666666667', '-1.6666666666666666']);
    expect(credits).toEqual(['1.67', '1.66', '1.67']);
    expect(await openLayers(t.db, actor, 'AVG-2')).toEqual([]);
  });
});

describe('choosing a valuation method', () => {
  it.each(['IFRS', 'FRS102'] as const)('refuses LIFO under %s and says why', async (framework) => {
    const actor = await givenOrganisation(t.db, { framework });
    const err = await updateSettings(t.db, actor.tenantId, { valuationMethod: 'lifo' }).catch((e) => e);
    expect(err).toBeInstanceOf(Invalid);
    expect(err.status).toBe(422);
    expect(err.fields).toEqual([{ field: 'valuation_method', message: LIFO_REFUSED_REASON }]);
    expect(LIFO_REFUSED_REASON).toMatch(/IAS 2.*FRS 102.*US GAAP/);
    const { tenant } = await getSettings(t.db, actor.tenantId);
    expect(tenant).toMatchObject({ valuationMethod: 'fifo', reportingFramework: framework });
  });

  it('refuses moving a LIFO organisation off US GAAP, naming the framework field', async () => {
    const actor = await givenOrganisation(t.db, { method: 'lifo', framework: 'US_GAAP' });
    const err = await updateSettings(t.db, actor.tenantId, { reportingFramework: 'IFRS' }).catch((e) => e);
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields).toEqual([{ field: 'reporting_framework', message: LIFO_REFUSED_REASON }]);
  });

  it('has the database refuse LIFO outside US GAAP even when the service is bypassed', async () => {
    const actor = await givenOrganisation(t.db);
    await expect(t.db('tenants').where({ id: actor.tenantId }).update({ valuation_method: 'lifo' })).rejects.toThrow(/tenants_lifo_gaap_chk/);
  });

  it('lets the method change before stock has moved and fixes it once it has', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'FIX-1');
    await updateSettings(t.db, actor.tenantId, { valuationMethod: 'weighted_average' });
    expect((await getSettings(t.db, actor.tenantId)).methodLocked).toBe(false);

    await receive(actor, 'FIX-1', '1', '1');
    expect((await getSettings(t.db, actor.tenantId)).methodLocked).toBe(true);
    const err = await updateSettings(t.db, actor.tenantId, { valuationMethod: 'fifo' }).catch((e) => e);
    expect(err).toBeInstanceOf(Invalid);
    expect(err.fields[0].field).toBe('valuation_method');
    expect(err.message).toContain('fixed once stock has moved (it is weighted_average)');
    // Saving other settings with the same method is still fine.
    const tenant = await updateSettings(t.db, actor.tenantId, { name: 'Renamed Works', valuationMethod: 'weighted_average' });
    expect(tenant).toMatchObject({ name: 'Renamed Works', valuationMethod: 'weighted_average' });
    await expectReconciled(t.db, actor);
  });
});

describe('as-at valuation', () => {
  it('values stock at the end of a business date from the movements dated up to it', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'ASAT-1');
    await receive(actor, 'ASAT-1', '10', '2', '2026-11-01');
    await receive(actor, 'ASAT-1', '10', '3', '2026-11-05');
    await issue(actor, 'ASAT-1', '12', '2026-11-08'); // 10 x 2 + 2 x 3 = 26
    expect((await valuation(t.db, actor.tenantId, '2026-10-31')).lines).toEqual([]);
    expect((await valuation(t.db, actor.tenantId, '2026-11-01')).total).toBe('20.00');
    expect((await valuation(t.db, actor.tenantId, '2026-11-07')).lines).toEqual([expect.objectContaining({ quantity: '20', value: '50.00' })]);
    expect((await valuation(t.db, actor.tenantId, '2026-11-08')).lines).toEqual([expect.objectContaining({ quantity: '8', value: '24.00' })]);
    expect((await valuation(t.db, actor.tenantId)).total).toBe('24.00');
    await expectReconciled(t.db, actor);
  });
});
