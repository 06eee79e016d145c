import { dec } from '../../../server/domain/decimal';
import { releaseJob } from '../../../server/services/jobs/release';
import { completeStep } from '../../../server/services/jobs/complete-step';
import { completeJob } from '../../../server/services/jobs/complete-job';
import { dispatchGoods } from '../../../server/services/dispatch/dispatch';
import { jobView } from '../../../server/services/jobs/views';
import { organisationPerTest } from '../../support/organisation-per-test';
import { expectReconciled, journalLines, onHand } from '../../support/ledger-checks';
import { givenPumpWorks, givenJob, available, expectAllocationsConsistent, TODAY } from './helpers';

const t = organisationPerTest(givenPumpWorks);

describe('a job card from release to dispatch', () => {
  test('release allocates every line: available drops, on hand does not', async () => {
    const job = await givenJob(t.db, t.actor, 'PUMP', 2);
    expect(job.status).toBe('draft');
    const released = (await releaseJob(t.db, t.actor, job.id)).body;
    expect(released.status).toBe('released');
    expect(released.lines.map((l) => [l.part, l.required, l.allocated, l.short])).toEqual([
      ['FRAME', '2', '2', '0'],
      ['SCREW', '9', '9', '0'], // 2 x 4 x 1.10 = 8.8, whole screws
      ['MOTOR', '2', '2', '0'],
    ]);
    expect(released.lines[2].allocations.map((a) => a.serial)).toEqual(['M1', 'M2']);
    expect(await available(t.db, t.actor, 'FRAME')).toBe('8');
    expect(await onHand(t.db, t.actor, 'FRAME')).toBe('10');
    await expectAllocationsConsistent(t.db, t.actor);
  });

  test('steps consume their lines into WIP, completion receives the serials at the job cost, dispatch makes the margin actual', async () => {
    const job = await givenJob(t.db, t.actor, 'PUMP', 2, { salePrice: dec('200'), customer: 'Hydro Ltd', release: true });
    // Before anything is consumed the planned cost is the lines at today's cost: 2 x 5 + 9 x 0.10 + 2 x 50.
    expect(job.costs.planned_margin).toEqual({ revenue: '400.00', cost: '110.90', amount: '289.10', pct: '72.3' });
    const step1 = (await completeStep(t.db, t.actor, job.id, { step: 1, quantity: dec(2), occurredOn: TODAY })).body;
    expect(journalLines(step1.consumption!)).toEqual([
      { role: 'wip', debit: '10.90', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '10.90' },
    ]);
    expect(await onHand(t.db, t.actor, 'FRAME')).toBe('8');
    expect(await onHand(t.db, t.actor, 'SCREW')).toBe('91');
    expect(step1.job.status).toBe('in_progress');
    expect(step1.job.costs.wip).toBe('10.90');
    await expectReconciled(t.db, t.actor);

    const done = (await completeJob(t.db, t.actor, job.id, { serials: ['P-1', 'P-2'], occurredOn: TODAY })).body;
    expect(journalLines(done.consumption!)).toEqual([
      { role: 'wip', debit: '100.00', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '100.00' },
    ]);
    expect(journalLines(done.completion)).toEqual([
      { role: 'finished_goods', debit: '110.90', credit: '0.00' },
      { role: 'wip', debit: '0.00', credit: '110.90' },
    ]);
    expect(done.completion.movements.map((m) => [m.serial, m.value])).toEqual([['P-1', '55.45'], ['P-2', '55.45']]);
    expect(done.job.status).toBe('completed');
    expect(done.job.costs).toMatchObject({ material: '110.90', wip: '0.00', finished_value: '110.90', unit_cost: '55.45' });
    expect(done.job.outputs.map((o) => o.serial)).toEqual(['P-1', 'P-2']);
    expect(await onHand(t.db, t.actor, 'MOTOR')).toBe('1');
    await expectReconciled(t.db, t.actor);
    await expectAllocationsConsistent(t.db, t.actor);

    const sent = (await dispatchGoods(t.db, t.actor, { customer: 'Hydro Ltd', occurredOn: TODAY, lines: [{ part: 'PUMP', quantity: dec(1), serials: ['P-1'], unitPrice: dec('200') }] })).body!;
    expect(sent.lines).toEqual([{ part: 'PUMP', job: job.number, quantity: '1', unit_price: '200', cost: '55.45', serials: ['P-1'] }]);
    const after = await jobView(t.db, t.actor.tenantId, job.id);
    expect(after.costs.actual_margin).toEqual({ revenue: '200.00', cost: '55.45', amount: '144.55', pct: '72.3' });
    expect(after.costs.planned_margin).toEqual({ revenue: '400.00', cost: '110.90', amount: '289.10', pct: '72.3' });
    await expectReconciled(t.db, t.actor);
  });
});
