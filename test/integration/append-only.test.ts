import { openTestDb, TestDb } from '../support/db';
import { givenOrganisation, givenPart } from '../support/builders';
import { expectReconciled, line, ledgerSnapshot, countRows } from '../support/ledger-checks';
import { postStockEvent } from '../../server/services/stock/post-event';
import { Actor } from '../../server/services/stock/types';

let t: TestDb;
let actor: Actor;
let eventId: string;
let journalId: string;

beforeAll(async () => {
  t = await openTestDb();
  actor = await givenOrganisation(t.db);
  await givenPart(t.db, actor, 'AO-1');
  const r = await postStockEvent(t.db, actor, { kind: 'receipt', occurredOn: '2026-11-02', lines: [line('AO-1', 'MAIN', '4', '2.5')] });
  eventId = r.body.id;
  journalId = r.body.journal!.id;
});
afterAll(async () => { await t.close(); });

async function dbError(run: () => Promise<unknown>): Promise<{ code?: string; message: string }> {
  return run().then(() => { throw new Error('the database accepted it'); }, (e) => e);
}

describe('the ledger is append-only in the database', () => {
  const tampering: [string, () => Promise<unknown>][] = [
    ['UPDATE stock_movements', () => t.db('stock_movements').where({ tenant_id: actor.tenantId }).update({ quantity: 40 })],
    ['DELETE stock_movements', () => t.db('stock_movements').where({ tenant_id: actor.tenantId }).del()],
    ['UPDATE stock_events', () => t.db('stock_events').where({ tenant_id: actor.tenantId, id: eventId }).update({ occurred_on: '2020-01-01' })],
    ['DELETE stock_events', () => t.db('stock_events').where({ tenant_id: actor.tenantId, id: eventId }).del()],
    ['UPDATE journal_lines', () => t.db('journal_lines').where({ tenant_id: actor.tenantId, journal_id: journalId }).update({ amount: 0 })],
    ['DELETE journal_lines', () => t.db('journal_lines').where({ tenant_id: actor.tenantId, journal_id: journalId }).del()],
    ['UPDATE journals', () => t.db('journals').where({ tenant_id: actor.tenantId, id: journalId }).update({ narration: 'edited' })],
    ['DELETE journals', () => t.db('journals').where({ tenant_id: actor.tenantId, id: journalId }).del()],
  ];

  it.each(tampering)('refuses a raw %s and leaves the rows as they were', async (what, run) => {
    const before = await ledgerSnapshot(t.db, actor);
    const err = await dbError(run);
    const table = what.split(' ')[1];
    expect(err.code).toBe('55000');
    expect(err.message).toContain(`${table} is append-only`);
    expect(await ledgerSnapshot(t.db, actor)).toEqual(before);
    await expectReconciled(t.db, actor);
  });

  it('rolls back the whole transaction around a refused change', async () => {
    const before = await ledgerSnapshot(t.db, actor);
    const err = await dbError(() => t.db.transaction(async (trx) => {
      await trx('outbox').where({ tenant_id: actor.tenantId }).update({ status: 'done' });
      await trx('stock_movements').where({ tenant_id: actor.tenantId }).update({ value: 0 });
    }));
    expect(err.code).toBe('55000');
    expect(await ledgerSnapshot(t.db, actor)).toEqual(before);
  });
});

describe('every journal balances in the database', () => {
  async function newEventId(trx: typeof t.db): Promise<string> {
    const [e] = await trx('stock_events').insert({ tenant_id: actor.tenantId, kind: 'adjustment', occurred_on: '2026-11-02', contra_role: 'stock_adjustments' }).returning('id');
    return e.id;
  }

  async function journalWithLines(trx: typeof t.db, lines: { role: string; amount: string }[]) {
    const ev = await newEventId(trx);
    const [j] = await trx('journals').insert({ tenant_id: actor.tenantId, event_id: ev, journal_date: '2026-11-02', narration: 'manual', source_path: '/manual' }).returning('id');
    for (const [i, l] of lines.entries()) {
      // One statement per line: the check waits for commit, not for each row.
      await trx('journal_lines').insert({ tenant_id: actor.tenantId, journal_id: j.id, line_no: i + 1, account_role: l.role, account_code: 'x', account_name: 'x', amount: l.amount });
    }
    return j.id as string;
  }

  it('refuses an unbalanced journal when the transaction commits, and keeps none of it', async () => {
    const before = await ledgerSnapshot(t.db, actor);
    let inserted = false;
    const err = await dbError(() => t.db.transaction(async (trx) => {
      await journalWithLines(trx, [{ role: 'grni', amount: '10.00' }, { role: 'cogs', amount: '-9.99' }]);
      inserted = true; // each statement succeeded: the check is deferred to commit
    }));
    expect(inserted).toBe(true);
    expect(err.code).toBe('23514');
    expect(err.message).toMatch(/does not balance \(debits - credits = 0\.01\)/);
    expect(await ledgerSnapshot(t.db, actor)).toEqual(before);
  });

  it('refuses a journal with a single line', async () => {
    const before = await countRows(t.db, actor, 'journals');
    const err = await dbError(() => t.db.transaction((trx) => journalWithLines(trx, [{ role: 'grni', amount: '5.00' }])));
    expect(err.code).toBe('23514');
    expect(await countRows(t.db, actor, 'journals')).toBe(before);
  });

  it('accepts a journal that balances by commit even though its lines arrive one by one', async () => {
    const id = await t.db.transaction((trx) => journalWithLines(trx, [{ role: 'grni', amount: '5.00' }, { role: 'cogs', amount: '-2.50' }, { role: 'scrap', amount: '-2.50' }]));
    const [{ total }] = await t.db('journal_lines').where({ tenant_id: actor.tenantId, journal_id: id }).sum({ total: 'amount' });
    expect(Number(total)).toBe(0);
    await expectReconciled(t.db, actor);
  });
});
