import { dec, sum } from '../../../server/domain/decimal';
import { releaseJob } from '../../../server/services/jobs/release';
import { completeStep } from '../../../server/services/jobs/complete-step';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { jobView } from '../../../server/services/jobs/views';
import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { expectReconciled, line, onHand } from '../../support/ledger-checks';
import { givenBom, givenJob, givenStock, available, expectAllocationsConsistent, TODAY } from './helpers';

// PGlite has one connection, so these run one after another there and race for real only on
// PostgreSQL (CI); the assertions are the same on both.
jest.setTimeout(120_000);

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

describe('allocation never over-commits', () => {
  test('ten jobs released at the same moment share 25 scarce bearings without committing one twice', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'BEARING');
    await givenPart(t.db, actor, 'HUB', { source: 'made' });
    await givenBom(t.db, actor, [['HUB', 'BEARING', 4, 1]]);
    await givenStock(t.db, actor, [['BEARING', 25, '2.00']]);
    const jobs = [];
    for (let i = 0; i < 10; i++) jobs.push(await givenJob(t.db, actor, 'HUB', 1));
    const settled = await Promise.allSettled(jobs.map((j) => releaseJob(t.db, actor, j.id)));
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    const views = await Promise.all(jobs.map((j) => jobView(t.db, actor.tenantId, j.id)));
    const allocated = views.map((v) => dec(v.lines[0].allocated));
    expect(sum(allocated).toFixed()).toBe('25');
    // Six jobs fully allocated, one gets the last 1, three get nothing: never more than each needs.
    expect(allocated.map((a) => a.toFixed()).sort()).toEqual(['0', '0', '0', '1', '4', '4', '4', '4', '4', '4']);
    expect(await available(t.db, actor, 'BEARING')).toBe('0');
    await expectAllocationsConsistent(t.db, actor);
  });

  test('an issue racing a release cannot take stock the release committed, nor the release stock the issue took', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'SEAL');
    await givenPart(t.db, actor, 'VALVE', { source: 'made' });
    await givenBom(t.db, actor, [['VALVE', 'SEAL', 3, 1]]);
    await givenStock(t.db, actor, [['SEAL', 4, '1.00']]);
    const job = await givenJob(t.db, actor, 'VALVE', 1);
    const issue = postStockEvent(t.db, actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: TODAY, lines: [line('SEAL', 'MAIN', '2')] });
    const release = releaseJob(t.db, actor, job.id);
    const [i, r] = await Promise.allSettled([issue, release]);
    expect(r.status).toBe('fulfilled');
    const allocated = dec((await jobView(t.db, actor.tenantId, job.id)).lines[0].allocated);
    const onHandNow = dec(await onHand(t.db, actor, 'SEAL'));
    // Either the issue went first (2 left, 2 allocated) or the release did (3 allocated, issue refused).
    if (i.status === 'fulfilled') expect([onHandNow.toFixed(), allocated.toFixed()]).toEqual(['2', '2']);
    else expect([onHandNow.toFixed(), allocated.toFixed()]).toEqual(['4', '3']);
    await expectAllocationsConsistent(t.db, actor);
  });

  test('parallel step completions on one job queue on its row: each unit consumed once', async () => {
    const actor = await givenOrganisation(t.db);
    await givenPart(t.db, actor, 'ROD');
    await givenPart(t.db, actor, 'RAM', { source: 'made' });
    await givenBom(t.db, actor, [['RAM', 'ROD', 2, 1]]);
    await givenStock(t.db, actor, [['ROD', 20, '3.00']]);
    const job = await givenJob(t.db, actor, 'RAM', 5, { release: true });
    const settled = await Promise.allSettled(Array.from({ length: 8 }, () => completeStep(t.db, actor, job.id, { step: 1, quantity: dec(1), occurredOn: TODAY })));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(5);
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason.fields[0].field);
    expect(refused).toEqual(['quantity', 'quantity', 'quantity']);
    const view = await jobView(t.db, actor.tenantId, job.id);
    expect([view.steps[0].completed_qty, view.lines[0].consumed, view.costs.wip]).toEqual(['5', '10', '30.00']);
    expect(await onHand(t.db, actor, 'ROD')).toBe('10');
    await expectReconciled(t.db, actor);
    await expectAllocationsConsistent(t.db, actor);
  });
});
