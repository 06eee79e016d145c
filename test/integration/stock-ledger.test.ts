import { openTestDb, TestDb } from '../support/db';
import { givenOrganisation, givenPart } from '../support/builders';
import { postStockEvent } from '../../server/services/stock/post-event';
import { reverseStockEvent } from '../../server/services/stock/reverse-event';
import { reconciliation } from '../../server/services/valuation';
import { dec } from '../../server/domain/decimal';
import { Actor } from '../../server/services/stock/types';
import { updateSettings } from '../../server/services/settings';
import { partDetail } from '../../server/services/queries';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

async function expectReconciled(actor: Actor) {
  const r = await reconciliation(t.db, actor.tenantId);
  expect(r.accounts.filter((a) => !a.reconciled)).toEqual([]);
}

describe('stock events', () => {
  it('values a FIFO issue from the oldest layer and posts Dr COGS / Cr Raw materials', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'BRG-6204');
    await postStockEvent(t.db, actor, { kind: 'opening_balance', occurredOn: '2026-11-01', lines: [{ part: 'BRG-6204', location: 'MAIN', quantity: dec(10), unitCost: dec('2.50') }] });
    await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-02', lines: [{ part: 'BRG-6204', location: 'MAIN', quantity: dec(10), unitCost: dec('3.00') }] });
    const issue = await postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-03', lines: [{ part: 'BRG-6204', location: 'MAIN', quantity: dec(12) }] });
    expect(issue.body.movements).toEqual([expect.objectContaining({ part: 'BRG-6204', quantity: '-12', value: '-31' })]);
    expect(issue.body.journal!.lines).toEqual([
      expect.objectContaining({ role: 'cogs', debit: '31.00', credit: '0.00' }),
      expect.objectContaining({ role: 'raw_materials', debit: '0.00', credit: '31.00' }),
    ]);
    await expectReconciled(actor);
  });

  it('reverses an issue back into the layers it came from', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'P1');
    await postStockEvent(t.db, actor, { kind: 'opening_balance', occurredOn: '2026-11-01', lines: [{ part: 'P1', location: 'MAIN', quantity: dec(3), unitCost: dec('1.111111') }] });
    const issue = await postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-03', lines: [{ part: 'P1', location: 'MAIN', quantity: dec(2) }] });
    const rev = await reverseStockEvent(t.db, actor, issue.body.id, '2026-11-04', 'wrong part');
    expect(rev.body.movements[0].quantity).toBe('2');
    const bal = await t.db('stock_balances').where({ tenant_id: actor.tenantId }).first();
    expect(bal.on_hand).toBe('3.000000');
    await expectReconciled(actor);
  });

  it('accepts a part by its barcode, as a USB scanner types it, and records the SKU', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'SEAL-22', { barcode: '5012345678900' });
    const r = await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-02', lines: [{ part: '5012345678900', location: 'MAIN', quantity: dec(4), unitCost: dec('0.75') }] });
    expect(r.body.movements).toEqual([expect.objectContaining({ part: 'SEAL-22', quantity: '4', value: '3' })]);
    await expectReconciled(actor);
  });

  it('refuses stock dated after tomorrow, naming occurred_on, and a lock date in the future', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'FUT-1');
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const err = await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: future, lines: [{ part: 'FUT-1', location: 'MAIN', quantity: dec(1), unitCost: dec(1) }] }).catch((e) => e);
    expect(err.fields).toEqual([{ field: 'occurred_on', message: expect.stringMatching(new RegExp(`^${future} is in the future; stock can be recorded up to \\d{4}-\\d{2}-\\d{2}$`)) }]);
    expect(await t.db('stock_events').where({ tenant_id: actor.tenantId }).count<{ n: number }[]>('* as n')).toEqual([{ n: 0 }]);
    const lock = await updateSettings(t.db, actor.tenantId, { lockDate: future }).catch((e) => e);
    expect(lock.fields).toEqual([{ field: 'lock_date', message: `The lock date closes periods that have ended; ${future} is in the future` }]);
  });
});

describe('lots', () => {
  it('cost each batch on its own: issuing batch B takes B\'s cost, not the older batch A', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'PAINT-1', { tracking: 'lot', fractional: true, unit: 'l' });
    await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-01', lines: [{ part: 'PAINT-1', location: 'MAIN', lot: 'A', quantity: dec(10), unitCost: dec('4.00') }] });
    await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-02', lines: [{ part: 'PAINT-1', location: 'MAIN', lot: 'B', quantity: dec(10), unitCost: dec('6.00') }] });
    const issue = await postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-03', lines: [{ part: 'PAINT-1', location: 'MAIN', lot: 'B', quantity: dec('2.5') }] });
    expect(issue.body.movements).toEqual([expect.objectContaining({ lot: 'B', quantity: '-2.5', value: '-15' })]);
    const moved = await postStockEvent(t.db, actor, { kind: 'transfer', occurredOn: '2026-11-03', lines: [{ part: 'PAINT-1', from: 'MAIN', to: 'B', lot: 'A', quantity: dec(4) }] });
    expect(moved.body.movements.map((m) => [m.location, m.lot, m.value])).toEqual([['MAIN', 'A', '-16'], ['B', 'A', '16']]);
    const found = await postStockEvent(t.db, actor, { kind: 'adjustment', occurredOn: '2026-11-04', lines: [{ part: 'PAINT-1', location: 'B', lot: 'C', quantity: dec(1) }] });
    expect(found.body.movements).toEqual([expect.objectContaining({ lot: 'C', value: '4' })]); // a new batch takes the part's cost there
    const detail = await partDetail(t.db, actor.tenantId, 'PAINT-1');
    expect(detail.balances.map((b) => [b.location, b.lot, b.on_hand, b.value])).toEqual([['B', 'A', '4', '16.00'], ['B', 'C', '1', '4.00'], ['MAIN', 'A', '6', '24.00'], ['MAIN', 'B', '7.5', '45.00']]);
    await expectReconciled(actor);
  });
});

describe('the base currency', () => {
  it('rounds journals to its minor unit: whole yen, and carries the remainder so the ledger reconciles', async () => {
    const actor = await givenOrganisation(t.db, { currency: 'JPY' });
    await givenPart(t.db, actor, 'YEN-1');
    const r = await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-02', lines: [{ part: 'YEN-1', location: 'MAIN', quantity: dec(3), unitCost: dec('0.5') }] });
    expect(r.body.journal!.lines.map((l) => [l.role, l.debit, l.credit])).toEqual([['raw_materials', '2', '0'], ['grni', '0', '2']]);
    const i = await postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-03', lines: [{ part: 'YEN-1', location: 'MAIN', quantity: dec(1) }] });
    expect(i.body.journal!.lines.map((l) => [l.role, l.debit, l.credit])).toEqual([['cogs', '1', '0'], ['raw_materials', '0', '1']]);
    await expectReconciled(actor);
  });

  it('rounds to three places for Kuwaiti dinars', async () => {
    const actor = await givenOrganisation(t.db, { currency: 'KWD' });
    await givenPart(t.db, actor, 'KWD-1');
    const r = await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-02', lines: [{ part: 'KWD-1', location: 'MAIN', quantity: dec(1), unitCost: dec('1.2345') }] });
    expect(r.body.journal!.lines.map((l) => [l.role, l.debit, l.credit])).toEqual([['raw_materials', '1.235', '0.000'], ['grni', '0.000', '1.235']]);
    expect((await reconciliation(t.db, actor.tenantId)).accounts[0]).toMatchObject({ layer_value: '1.235', journal_total: '1.235', reconciled: true });
  });
});
