import { Db } from '../../../server/db';
import { dec } from '../../../server/domain/decimal';
import { releaseJob, cancelJob } from '../../../server/services/jobs/release';
import { completeStep } from '../../../server/services/jobs/complete-step';
import { completeJob } from '../../../server/services/jobs/complete-job';
import { makeChildJob } from '../../../server/services/jobs/child-job';
import { createJob } from '../../../server/services/jobs/create-job';
import { jobView } from '../../../server/services/jobs/views';
import { Actor } from '../../../server/services/stock/types';
import { organisationPerTest } from '../../support/organisation-per-test';
import { givenPart } from '../../support/builders';
import { expectReconciled, journalLines, onHand } from '../../support/ledger-checks';
import { givenPumpWorks, givenJob, givenStock, givenBom, available, expectAllocationsConsistent, refusedCleanly, problemsOf, TODAY } from './helpers';

const t = organisationPerTest(givenPumpWorks);

describe('bad input changes nothing and names what was wrong', () => {
  test('a job for a part with no BOM', async () => {
    const err = await refusedCleanly(t.db, t.actor, () => createJob(t.db, t.actor, { part: 'FRAME', quantity: dec(1), dueOn: TODAY }));
    expect(problemsOf(err)).toEqual([['part', 'FRAME has no bill of materials: add its BOM before making a job card for it']]);
  });

  test('an unknown part, a fractional pump, a bad date', async () => {
    let err = await refusedCleanly(t.db, t.actor, () => createJob(t.db, t.actor, { part: 'NOPE', quantity: dec(1), dueOn: TODAY }));
    expect(problemsOf(err)).toEqual([['part', 'Unknown part NOPE']]);
    err = await refusedCleanly(t.db, t.actor, () => createJob(t.db, t.actor, { part: 'PUMP', quantity: dec('1.5'), dueOn: 'soon' }));
    expect(problemsOf(err)).toEqual([
      ['quantity', 'PUMP is made in whole each; 1.5 is not a whole number'],
      ['due_on', 'soon is not a date like 2026-11-25'],
    ]);
  });

  test('completing a step for more than the job quantity', async () => {
    const job = await givenJob(t.db, t.actor, 'PUMP', 2, { release: true });
    await completeStep(t.db, t.actor, job.id, { step: 1, quantity: dec(1), occurredOn: TODAY });
    const err = await refusedCleanly(t.db, t.actor, () => completeStep(t.db, t.actor, job.id, { step: 1, quantity: dec(2), occurredOn: TODAY }));
    expect(problemsOf(err)).toEqual([['quantity', "Step 1 of J-00001 has 1 of 2 done; 2 more would make 3, more than the job's 2"]]);
  });

  test('completing the job for more than its quantity', async () => {
    const job = await givenJob(t.db, t.actor, 'PUMP', 2, { release: true });
    const err = await refusedCleanly(t.db, t.actor, () => completeJob(t.db, t.actor, job.id, { quantity: dec(3), serials: ['P1', 'P2', 'P3'], occurredOn: TODAY }));
    expect(problemsOf(err)).toEqual([['quantity', "Job J-00001 has 0 of 2 done; 3 more would make 3, more than the job's 2"]]);
  });

  test('a step on a draft job, and an unknown step', async () => {
    const job = await givenJob(t.db, t.actor, 'PUMP', 1);
    let err = await refusedCleanly(t.db, t.actor, () => completeStep(t.db, t.actor, job.id, { step: 1, quantity: dec(1), occurredOn: TODAY }));
    expect(err.message).toBe('Job J-00001 is a draft: release it first, so its components are allocated');
    await releaseJob(t.db, t.actor, job.id);
    err = await refusedCleanly(t.db, t.actor, () => completeStep(t.db, t.actor, job.id, { step: 7, quantity: dec(1), occurredOn: TODAY }));
    expect(problemsOf(err)).toEqual([['step', 'Job J-00001 has no step 7']]);
  });

  test('consuming a serial allocated to another job, or one not in stock', async () => {
    const first = await givenJob(t.db, t.actor, 'PUMP', 2, { release: true }); // M1, M2
    const second = await givenJob(t.db, t.actor, 'PUMP', 1, { release: true }); // M3
    expect((await jobView(t.db, t.actor.tenantId, second.id)).lines[2].allocations.map((a) => a.serial)).toEqual(['M3']);
    let err = await refusedCleanly(t.db, t.actor, () => completeStep(t.db, t.actor, second.id, { step: 2, quantity: dec(1), lines: [{ line: 'MOTOR', serials: ['M1'] }], occurredOn: TODAY }));
    expect(problemsOf(err)).toEqual([['lines.0.serials', 'Serial M1 of MOTOR is allocated to job J-00001; use one allocated to J-00002 or a free one']]);
    err = await refusedCleanly(t.db, t.actor, () => completeStep(t.db, t.actor, first.id, { step: 2, quantity: dec(1), lines: [{ line: 'MOTOR', serials: ['M9'] }], occurredOn: TODAY }));
    expect(err.message).toMatch(/Serial M9 of MOTOR cannot leave MAIN: it is not in stock/);
  });

  test('a serial allocated to a job cannot be issued, transferred or dispatched by anyone else', async () => {
    await givenJob(t.db, t.actor, 'PUMP', 1, { release: true }); // M1 allocated
    const { postStockEvent } = await import('../../../server/services/stock/post-event');
    const err = await refusedCleanly(t.db, t.actor, () => postStockEvent(t.db, t.actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: TODAY, lines: [{ part: 'MOTOR', location: 'MAIN', quantity: dec(1), serials: ['M1'] }] }));
    expect(problemsOf(err)).toEqual([['lines.0.serials.0', 'Serial M1 of MOTOR is allocated to job J-00001; use another serial, or take it off the job first']]);
    await postStockEvent(t.db, t.actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: TODAY, lines: [{ part: 'MOTOR', location: 'MAIN', quantity: dec(1), serials: ['M2'] }] });
    expect(await available(t.db, t.actor, 'MOTOR')).toBe('1');
  });

  test('a serial-tracked assembly completed without one serial per unit', async () => {
    const job = await givenJob(t.db, t.actor, 'PUMP', 2, { release: true });
    const err = await refusedCleanly(t.db, t.actor, () => completeJob(t.db, t.actor, job.id, { serials: ['P1', 'P1'], occurredOn: TODAY }));
    expect(problemsOf(err)).toEqual([['serials', 'Serial P1 is given twice']]);
  });
});

describe('what happens on the shop floor', () => {
  test('scrap and labour: scrap is abnormal loss, labour adds to WIP, the scrapped frame is re-allocated', async () => {
    const job = await givenJob(t.db, t.actor, 'PUMP', 2, { release: true, labourRate: dec('60') });
    const r = (await completeStep(t.db, t.actor, job.id, { step: 1, quantity: dec(2), labourMinutes: dec(30), lines: [{ line: 'FRAME', scrapped: dec(1) }], occurredOn: TODAY })).body;
    expect(journalLines(r.consumption!)).toEqual([
      { role: 'wip', debit: '40.90', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '10.90' },
      { role: 'labour_applied', debit: '0.00', credit: '30.00' },
    ]);
    expect(journalLines(r.scrap!)).toEqual([
      { role: 'scrap', debit: '5.00', credit: '0.00' },
      { role: 'raw_materials', debit: '0.00', credit: '5.00' },
    ]);
    expect(r.job.costs).toMatchObject({ material: '10.90', labour: '30.00', scrap: '5.00', wip: '40.90' });
    expect(r.job.lines[0]).toMatchObject({ part: 'FRAME', consumed: '2', scrapped: '1', allocated: '0' });
    expect(await onHand(t.db, t.actor, 'FRAME')).toBe('7');
    // The scrap is part of the job: it is not reversed on its own.
    const { reverseStockEvent } = await import('../../../server/services/stock/reverse-event');
    const err = await refusedCleanly(t.db, t.actor, () => reverseStockEvent(t.db, t.actor, r.scrap!.id, TODAY, 'oops'));
    expect(err.message).toBe(`This event belongs to job ${job.number}: correct it there, not by reversing it here`);
    await expectReconciled(t.db, t.actor);
    await expectAllocationsConsistent(t.db, t.actor);
  });

  test('over- and under-consumption are recorded against the line', async () => {
    const job = await givenJob(t.db, t.actor, 'PUMP', 2, { release: true });
    await completeStep(t.db, t.actor, job.id, { step: 1, quantity: dec(2), lines: [{ line: 'SCREW', quantity: dec(12) }, { line: 'FRAME', quantity: dec(1) }], occurredOn: TODAY });
    const view = await jobView(t.db, t.actor.tenantId, job.id);
    expect(view.lines.slice(0, 2).map((l) => [l.part, l.required, l.consumed, l.allocated])).toEqual([['FRAME', '2', '1', '1'], ['SCREW', '9', '12', '0']]);
    expect(await onHand(t.db, t.actor, 'SCREW')).toBe('88');
    await expectAllocationsConsistent(t.db, t.actor);
  });

  test('a unit scrapped at completion takes its share of the job cost to abnormal loss', async () => {
    const job = await givenJob(t.db, t.actor, 'PUMP', 2, { release: true });
    const r = (await completeJob(t.db, t.actor, job.id, { quantity: dec(1), scrappedUnits: dec(1), serials: ['P-1'], occurredOn: TODAY })).body;
    expect(journalLines(r.completion)).toEqual([
      { role: 'finished_goods', debit: '55.45', credit: '0.00' },
      { role: 'scrap', debit: '55.45', credit: '0.00' },
      { role: 'wip', debit: '0.00', credit: '110.90' },
    ]);
    expect(r.job).toMatchObject({ status: 'completed', completed_qty: '1', scrapped_qty: '1' });
    await expectReconciled(t.db, t.actor);
  });

  test('completing part of the job leaves the rest in WIP and allocated', async () => {
    const job = await givenJob(t.db, t.actor, 'PUMP', 2, { release: true });
    const r = (await completeJob(t.db, t.actor, job.id, { quantity: dec(1), serials: ['P-1'], occurredOn: TODAY })).body;
    expect(r.job.status).toBe('in_progress');
    // Work started on one unit only (no step was done ahead), so it takes all the WIP: 5 + 0.50 + 50.
    expect(r.job.costs).toMatchObject({ wip: '0.00', finished_value: '55.50' });
    expect(r.job.lines.map((l) => [l.part, l.consumed, l.allocated])).toEqual([['FRAME', '1', '1'], ['SCREW', '5', '4'], ['MOTOR', '1', '1']]);
    const last = (await completeJob(t.db, t.actor, job.id, { serials: ['P-2'], occurredOn: TODAY })).body;
    expect(last.job.status).toBe('completed');
    expect(last.job.costs).toMatchObject({ material: '110.90', wip: '0.00', finished_value: '110.90' });
    expect(await available(t.db, t.actor, 'SCREW')).toBe('91');
    await expectReconciled(t.db, t.actor);
    await expectAllocationsConsistent(t.db, t.actor);
  });

  test('cancelling a released job gives its allocation back', async () => {
    const job = await givenJob(t.db, t.actor, 'PUMP', 2, { release: true });
    expect(await available(t.db, t.actor, 'MOTOR')).toBe('1');
    await cancelJob(t.db, t.actor, job.id);
    expect(await available(t.db, t.actor, 'MOTOR')).toBe('3');
    await expectAllocationsConsistent(t.db, t.actor);
  });

  test('a short sub-assembly becomes a child job whose output is allocated to the parent line', async () => {
    await givenPart(t.db, t.actor, 'SKID', { source: 'made' });
    await givenPart(t.db, t.actor, 'CASE', { source: 'made' });
    await givenBom(t.db, t.actor, [['SKID', 'CASE', 1, 1], ['SKID', 'FRAME', 2, 1], ['CASE', 'SCREW', 10, null]]);
    await givenStock(t.db, t.actor, [['CASE', 1, '3.00']]);
    const top = await givenJob(t.db, t.actor, 'SKID', 3, { release: true });
    expect(top.lines.map((l) => [l.part, l.allocated, l.short, l.made])).toEqual([['CASE', '1', '2', true], ['FRAME', '6', '0', false]]);
    const child = (await makeChildJob(t.db, t.actor, top.id, top.lines[0].id)).body;
    expect(child).toMatchObject({ part: 'CASE', quantity: '2', status: 'released', parent_job: { number: top.number }, top_job: { number: top.number } });
    expect(child.lines.map((l) => [l.part, l.required, l.allocated])).toEqual([['SCREW', '20', '20']]);
    const again = await refusedCleanly(t.db, t.actor, () => makeChildJob(t.db, t.actor, top.id, top.lines[0].id));
    expect(again.message).toBe(`CASE on job ${top.number} is not short: child jobs already make what it lacks`);
    await completeJob(t.db, t.actor, child.id, { occurredOn: TODAY });
    const parent = await jobView(t.db, t.actor.tenantId, top.id);
    expect(parent.lines[0]).toMatchObject({ part: 'CASE', allocated: '3', short: '0' });
    await completeJob(t.db, t.actor, top.id, { occurredOn: TODAY });
    await expectReconciled(t.db, t.actor);
    await expectAllocationsConsistent(t.db, t.actor);
  });

  test('lot-tracked components are allocated and consumed by batch', async () => {
    await givenPart(t.db, t.actor, 'GLUE', { tracking: 'lot', fractional: true, unit: 'kg' });
    await givenPart(t.db, t.actor, 'PANEL', { source: 'made', tracking: 'lot' });
    await givenBom(t.db, t.actor, [['PANEL', 'GLUE', '0.4', null]]);
    await postLots(t.db, t.actor);
    const job = await givenJob(t.db, t.actor, 'PANEL', 5, { release: true });
    expect(job.lines[0].allocations).toEqual([{ lot: 'G-1', serial: null, quantity: '1.5' }, { lot: 'G-2', serial: null, quantity: '0.5' }]);
    const r = (await completeJob(t.db, t.actor, job.id, { occurredOn: TODAY })).body;
    expect(r.consumption!.movements.map((m) => [m.lot, m.quantity])).toEqual([['G-1', '-1.5'], ['G-2', '-0.5']]);
    expect(r.completion.movements.map((m) => [m.lot, m.quantity])).toEqual([[job.number, '5']]);
    await expectReconciled(t.db, t.actor);
  });
});

async function postLots(db: Db, actor: Actor) {
  const { postStockEvent } = await import('../../../server/services/stock/post-event');
  await postStockEvent(db, actor, { kind: 'opening_balance', occurredOn: TODAY, lines: [
    { part: 'GLUE', location: 'MAIN', quantity: dec('1.5'), unitCost: dec('8'), lot: 'G-1' },
    { part: 'GLUE', location: 'MAIN', quantity: dec('4'), unitCost: dec('9'), lot: 'G-2' },
  ] });
}
