import { dec } from '../../server/domain/decimal';
import { openTestDb, TestDb } from '../support/db';
import { givenOrganisation, givenPart } from '../support/builders';
import { expectReconciled, line, move, onHand, countRows } from '../support/ledger-checks';
import { postStockEvent } from '../../server/services/stock/post-event';
import { reverseStockEvent } from '../../server/services/stock/reverse-event';
import { Conflict, InsufficientStock, Invalid } from '../../server/errors';
import { Actor } from '../../server/services/stock/types';

// PGlite has one connection, so these run one after another there and race for real only on
// PostgreSQL (CI); the assertions are the same on both.
jest.setTimeout(120_000);

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const issueOne = (actor: Actor, sku: string, location = 'MAIN') =>
  postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-03', lines: [line(sku, location, '1')] });

function outcomes<T>(settled: PromiseSettledResult<T>[]) {
  const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason);
  return { fulfilled: settled.length - rejected.length, rejected };
}

describe('concurrent stock commands', () => {
  it('lets exactly 10 of 50 parallel issues of 1 take the 10 on hand, refusing the rest as shortages', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'RACE-1');
    await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-02', lines: [line('RACE-1', 'MAIN', '10', '1.10')] });

    const settled = await Promise.allSettled(Array.from({ length: 50 }, () => issueOne(actor, 'RACE-1')));
    const { fulfilled, rejected } = outcomes(settled);
    expect(fulfilled).toBe(10);
    expect(rejected).toHaveLength(40);
    for (const err of rejected) {
      expect(err).toBeInstanceOf(InsufficientStock);
      expect(err.message).toBe('Not enough RACE-1 at MAIN: on hand 0, requested 1, short by 1');
    }
    expect(await onHand(t.db, actor, 'RACE-1')).toBe('0');
    expect(await countRows(t.db, actor, 'stock_movements')).toBe(11);
    expect(await countRows(t.db, actor, 'journals')).toBe(11);
    const [{ issued }] = await t.db('stock_movements').where({ tenant_id: actor.tenantId }).where('quantity', '<', 0).sum({ issued: 'value' });
    expect(dec(issued).eq(-11)).toBe(true);
    await expectReconciled(t.db, actor);
  });

  it('keeps quantity, value and rounding exact under interleaved receipts and issues', async () => {
    const actor = await givenOrganisation(t.db, { method: 'weighted_average' });
    await givenPart(t.db, actor, 'RACE-2');
    await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-02', lines: [line('RACE-2', 'MAIN', '20', '1')] });
    const receipts = Array.from({ length: 15 }, () => postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-03', lines: [line('RACE-2', 'MAIN', '1', '0.335')] }));
    const issues = Array.from({ length: 15 }, () => issueOne(actor, 'RACE-2'));
    const { fulfilled, rejected } = outcomes(await Promise.allSettled([...receipts, ...issues]));
    expect(rejected).toEqual([]);
    expect(fulfilled).toBe(30);
    expect(await onHand(t.db, actor, 'RACE-2')).toBe('20');
    const [{ q, v }] = await t.db('stock_movements').where({ tenant_id: actor.tenantId }).sum({ q: 'quantity', v: 'value' });
    const [{ lq, lv }] = await t.db('cost_layers').where({ tenant_id: actor.tenantId }).sum({ lq: 'remaining_qty', lv: 'remaining_value' });
    expect(dec(q).eq(20)).toBe(true);
    expect(dec(lq).eq(20)).toBe(true);
    // The layers hold exactly what the movements say is left.
    expect(await t.db.raw('select ?::numeric = ?::numeric as same', [v, lv]).then((r) => r.rows[0].same)).toBe(true);
    await expectReconciled(t.db, actor);
  });

  it('does not deadlock when events lock the same two parts in opposite line order', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'RACE-A');
    await givenPart(t.db, actor, 'RACE-B');
    await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-02', lines: [line('RACE-A', 'MAIN', '40', '2'), line('RACE-B', 'MAIN', '40', '3')] });
    const runs = Array.from({ length: 20 }, (_, i) => {
      const lines = i % 2 ? [line('RACE-A', 'MAIN', '1'), line('RACE-B', 'MAIN', '1')] : [line('RACE-B', 'MAIN', '1'), line('RACE-A', 'MAIN', '1')];
      return postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-03', lines });
    });
    const { fulfilled, rejected } = outcomes(await Promise.allSettled(runs));
    expect(rejected).toEqual([]);
    expect(fulfilled).toBe(20);
    expect(await onHand(t.db, actor, 'RACE-A')).toBe('20');
    expect(await onHand(t.db, actor, 'RACE-B')).toBe('20');
    await expectReconciled(t.db, actor);
  });

  it('never lets stock moving both ways between two locations go negative', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'RACE-3');
    await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-02', lines: [line('RACE-3', 'MAIN', '5', '1'), line('RACE-3', 'B', '5', '2')] });
    const runs = Array.from({ length: 30 }, (_, i) =>
      postStockEvent(t.db, actor, { kind: 'transfer', occurredOn: '2026-11-03', lines: [i % 2 ? move('RACE-3', 'MAIN', 'B', '2') : move('RACE-3', 'B', 'MAIN', '2')] }));
    const { rejected } = outcomes(await Promise.allSettled(runs));
    for (const err of rejected) expect(err).toBeInstanceOf(InsufficientStock);
    const main = dec(await onHand(t.db, actor, 'RACE-3', 'MAIN'));
    const b = dec(await onHand(t.db, actor, 'RACE-3', 'B'));
    expect(main.isNeg() || b.isNeg()).toBe(false);
    expect(main.plus(b).toFixed()).toBe('10');
    expect(await countRows(t.db, actor, 'journals')).toBe(1);
    await expectReconciled(t.db, actor);
  });

  it('lets only one of several parallel reversals of an event through; the others are conflicts', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'RACE-4');
    await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-02', lines: [line('RACE-4', 'MAIN', '10', '1')] });
    const out = await issueOne(actor, 'RACE-4');
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => reverseStockEvent(t.db, actor, out.body.id, '2026-11-04', 'wrong job')));
    const { fulfilled, rejected } = outcomes(settled);
    expect(fulfilled).toBe(1);
    expect(rejected).toHaveLength(4);
    for (const err of rejected) {
      expect(err).toBeInstanceOf(Conflict);
      expect(err.message).toMatch(/^This event was already reversed by event /);
    }
    expect(await onHand(t.db, actor, 'RACE-4')).toBe('10');
    await expectReconciled(t.db, actor);
  });

  it('lets a serial leave only once when several issues race for it', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'RACE-5', { tracking: 'serial' });
    await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-02', lines: [line('RACE-5', 'MAIN', '3', '10', { serials: ['S1', 'S2', 'S3'] })] });
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () =>
      postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: '2026-11-03', lines: [line('RACE-5', 'MAIN', '1', undefined, { serials: ['S2'] })] })));
    const { fulfilled, rejected } = outcomes(settled);
    expect(fulfilled).toBe(1);
    for (const err of rejected) {
      expect(err).toBeInstanceOf(Invalid);
      expect(err.fields[0].message).toBe('Serial S2 of RACE-5 cannot leave MAIN: it is not in stock');
    }
    expect(await onHand(t.db, actor, 'RACE-5')).toBe('2');
    await expectReconciled(t.db, actor);
  });
});
