import { openTestDb, TestDb } from '../support/db';
import { givenOrganisation, givenPart } from '../support/builders';
import { expectReconciled, journalLines, line } from '../support/ledger-checks';
import { dec } from '../../server/domain/decimal';
import { postStockEvent } from '../../server/services/stock/post-event';
import { dispatchGoods } from '../../server/services/dispatch/dispatch';
import { createJob } from '../../server/services/jobs/create-job';
import { jobView } from '../../server/services/jobs/views';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

describe('a dispatch\'s cost is what its journal posted', () => {
  it('gives each line the cents the COGS journal carried for it, and the job\'s actual margin follows', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'KIT', { source: 'made' });
    await givenPart(t.db, actor, 'PIN');
    await t.db('bom_lines').insert({ tenant_id: actor.tenantId, parent_part_id: (await t.db('parts').where({ tenant_id: actor.tenantId, sku: 'KIT' }).first('id')).id,
      component_part_id: (await t.db('parts').where({ tenant_id: actor.tenantId, sku: 'PIN' }).first('id')).id, position: 1, qty_per: '1', step: null, attrition_pct: '0' });
    const job = (await createJob(t.db, actor, { part: 'KIT', quantity: dec(3), dueOn: '2026-12-10', salePrice: dec('1.00') })).body;
    // 3 x 0.333333 = 0.999999, posted as 1.00.
    const opening = await postStockEvent(t.db, actor, { kind: 'opening_balance', occurredOn: '2026-11-25', lines: [line('KIT', 'MAIN', 3, '0.333333')] });
    expect(journalLines(opening.body)[0]).toEqual({ role: 'finished_goods', debit: '1.00', credit: '0.00' });

    const sale = { part: 'KIT', quantity: dec(1), job: job.number, unitPrice: dec('1.00') };
    const sent = (await dispatchGoods(t.db, actor, { customer: 'Hydro Ltd', occurredOn: '2026-11-26', location: 'MAIN', lines: [sale, sale, sale] })).body!;
    // The carry, line by line: 0.666666 -> 0.67 (0.33), 0.333333 -> 0.33 (0.34), 0 -> 0.00 (0.33).
    expect(sent.lines.map((l) => l.cost)).toEqual(['0.33', '0.34', '0.33']);
    expect(sent.cost).toBe('1.00');
    const journal = await t.db('journal_lines').where({ tenant_id: actor.tenantId, journal_id: sent.journal!.id }).orderBy('line_no').select('account_role', 'amount');
    expect(journal.map((j) => [j.account_role, dec(j.amount).toFixed(2)])).toEqual([['cogs', '1.00'], ['finished_goods', '-1.00']]);
    const stored = await t.db('dispatch_lines').where({ tenant_id: actor.tenantId, dispatch_id: sent.id }).orderBy('line_no').pluck('cost');
    expect(stored.map((c) => dec(c).toFixed(2))).toEqual(['0.33', '0.34', '0.33']);

    // 3 x 1.00 sold against 1.00 of cost: the margin the ledger shows, 2.00.
    const after = await jobView(t.db, actor.tenantId, job.number);
    expect(after.costs.actual_margin).toEqual({ revenue: '3.00', cost: '1.00', amount: '2.00', pct: '66.7' });
    expect(after.dispatches.map((d) => d.cost)).toEqual(['0.33', '0.34', '0.33']);
    await expectReconciled(t.db, actor);
  });
});
