import { shortageCascade, ShortageReport } from '../../../server/services/planning/shortages';
import { stockPositions } from '../../../server/services/purchasing/positions';
import { organisationPerTest } from '../../support/organisation-per-test';
import { givenGearboxWorks, givenStock, givenStockAt, givenReceipt, givenJob, givenPo, childFor } from './helpers';

const t = organisationPerTest(givenGearboxWorks);

const report = () => shortageCascade(t.db, t.actor.tenantId);
/** Each short part as [sku, short, [[job, top job, short]...], covering PO number]. */
const shortOf = (r: ShortageReport) => r.parts.map((p) => [p.part, p.short, p.blocks.map((b) => [b.job, b.top_job, b.short]), p.covered_by?.number ?? null]);
const toMakeOf = (r: ShortageReport) => r.to_make.map((m) => [m.part, m.quantity, m.jobs.map((j) => [j.job, j.top_job, j.quantity])]);

describe('the shortage cascade', () => {
  test('a level-three shortage is named on the top-level job, before and the moment each child job is released', async () => {
    await givenStock(t.db, t.actor, [['BOLT', 10, '1'], ['NUT', 10, '1'], ['WIRE', 10, '1']]);
    const top = await givenJob(t.db, t.actor, 'GEARBOX', 2, { release: true, dueOn: '2026-12-10', customer: 'Mill Ltd' });

    // No child jobs yet: the missing HOUSING is exploded through ROTOR to the MAGNETs it needs.
    let r = await report();
    expect(r.open_jobs).toBe(1);
    expect(shortOf(r)).toEqual([['MAGNET', '2', [[top.number, top.number, '2']], null]]);
    expect(toMakeOf(r)).toEqual([['HOUSING', '2', [[top.number, top.number, '2']]], ['ROTOR', '2', [[top.number, top.number, '2']]]]);

    const housing = await childFor(t.db, t.actor, top.number, 'HOUSING');
    r = await report();
    expect(r.open_jobs).toBe(2);
    expect(shortOf(r)).toEqual([['MAGNET', '2', [[housing.number, top.number, '2']], null]]);
    expect(toMakeOf(r)).toEqual([['ROTOR', '2', [[housing.number, top.number, '2']]]]);

    const rotor = await childFor(t.db, t.actor, housing.number, 'ROTOR');
    expect(rotor.top_job.number).toBe(top.number);
    r = await report();
    expect(shortOf(r)).toEqual([['MAGNET', '2', [[rotor.number, top.number, '2']], null]]);
    expect(r.parts[0]).toMatchObject({ name: 'Part MAGNET', unit: 'each', free: '0', on_order: '0', blocks: [{ due: '2026-12-10' }] });
    expect(r.to_make).toEqual([]);
    expect(r.top_jobs).toEqual([{
      job: top.number, part: 'GEARBOX', name: 'Part GEARBOX', due: '2026-12-10', customer: 'Mill Ltd', status: 'released',
      blocked_by: [{ part: 'MAGNET', name: 'Part MAGNET', short: '2', jobs: [rotor.number] }],
    }]);
  });

  test('names the earliest open PO whose quantity, with those expected before it, covers the shortage', async () => {
    await givenStock(t.db, t.actor, [['BOLT', 20, '1'], ['NUT', 30, '1'], ['WIRE', 20, '1']]);
    const job = await givenJob(t.db, t.actor, 'GEARBOX', 5, { release: true });
    await givenPo(t.db, t.actor, 'PO-DRAFT', '2026-12-01', [['MAGNET', 50]], 'draft');
    await givenPo(t.db, t.actor, 'PO-LATE', '2026-12-20', [['MAGNET', 3]]);
    const early = await givenPo(t.db, t.actor, 'PO-EARLY', '2026-12-05', [['MAGNET', 2]]);
    await givenPo(t.db, t.actor, 'PO-UNDATED', null, [['MAGNET', 100]]);

    const r = await report();
    expect(shortOf(r)).toEqual([['MAGNET', '5', [[job.number, job.number, '5']], 'PO-LATE']]);
    expect(r.parts[0].covered_by).toEqual({ id: expect.any(String), number: 'PO-LATE', expected_date: '2026-12-20' });
    expect(r.parts[0].on_order).toBe('105'); // open POs only
    await givenPo(t.db, t.actor, 'PO-SOONER', '2026-12-03', [['MAGNET', 4]]);
    expect((await report()).parts[0].covered_by?.number).toBe('PO-EARLY');
    expect(early.number).toBe('PO-EARLY');
  });

  test('a child job takes over its line\'s demand: the shortage moves to the child, never counted twice', async () => {
    await givenStock(t.db, t.actor, [['BOLT', 10, '1'], ['WIRE', 10, '1'], ['MAGNET', 10, '1']]);
    const top = await givenJob(t.db, t.actor, 'GEARBOX', 2, { release: true });
    expect(shortOf(await report())).toEqual([['NUT', '6', [[top.number, top.number, '6']], null]]);

    const housing = await childFor(t.db, t.actor, top.number, 'HOUSING');
    const r = await report();
    expect(shortOf(r)).toEqual([['NUT', '6', [[housing.number, top.number, '6']], null]]);
    // The ROTOR the child lacks is still exploded (WIRE and MAGNET are free), so it shows as to make.
    expect(toMakeOf(r)).toEqual([['ROTOR', '2', [[housing.number, top.number, '2']]]]);
  });

  test('nets earliest due first: stock that arrived after release goes to the job due soonest', async () => {
    await givenStock(t.db, t.actor, [['BOLT', 20, '1'], ['NUT', 20, '1'], ['WIRE', 20, '1']]);
    const late = await givenJob(t.db, t.actor, 'GEARBOX', 2, { release: true, dueOn: '2026-12-20' });
    const soon = await givenJob(t.db, t.actor, 'GEARBOX', 2, { release: true, dueOn: '2026-12-05' });
    await givenReceipt(t.db, t.actor, [['MAGNET', 3]]);

    const r = await report();
    expect(shortOf(r)).toEqual([['MAGNET', '1', [[late.number, late.number, '1']], null]]);
    expect(r.top_jobs.map((j) => [j.job, j.blocked_by.map((b) => [b.part, b.short])])).toEqual([[late.number, [['MAGNET', '1']]]]);
    expect(soon.number).not.toBe(late.number);
  });

  test('nets free stock everywhere, sub-assemblies first, and leaves draft and finished jobs out', async () => {
    // One HOUSING free at bay B (the job builds at MAIN, so release did not allocate it), 4 NUTs free.
    await givenStockAt(t.db, t.actor, 'B', [['HOUSING', 1]]);
    await givenStock(t.db, t.actor, [['BOLT', 20, '1'], ['WIRE', 20, '1']]);
    const job = await givenJob(t.db, t.actor, 'GEARBOX', 3, { release: true });
    await givenReceipt(t.db, t.actor, [['NUT', 4]]);
    await givenJob(t.db, t.actor, 'GEARBOX', 50); // a draft: not open, so no demand here
    const finished = await givenJob(t.db, t.actor, 'GEARBOX', 50);
    await t.db('job_cards').where({ tenant_id: t.actor.tenantId, id: finished.id }).update({ status: 'completed' });

    const r = await report();
    expect(r.open_jobs).toBe(1);
    expect(toMakeOf(r)).toEqual([['HOUSING', '2', [[job.number, job.number, '2']]], ['ROTOR', '2', [[job.number, job.number, '2']]]]);
    expect(shortOf(r)).toEqual([
      ['MAGNET', '2', [[job.number, job.number, '2']], null],
      ['NUT', '2', [[job.number, job.number, '2']], null], // 2 HOUSINGs x 3 = 6, less 4 free
    ]);
    expect(r.parts.find((p) => p.part === 'NUT')!.free).toBe('4');
  });

  test('an organisation with no open jobs has no shortages', async () => {
    expect(await report()).toEqual({ open_jobs: 0, parts: [], to_make: [], top_jobs: [] });
  });
});

describe('stock positions', () => {
  test('demand is what draft, released and in-progress jobs still need beyond consumed and allocated', async () => {
    await givenStock(t.db, t.actor, [['BOLT', 5, '1']]);
    await givenJob(t.db, t.actor, 'GEARBOX', 2, { release: true }); // 4 BOLTs allocated: no demand left
    await givenJob(t.db, t.actor, 'GEARBOX', 3); // draft: 6 BOLTs wanted, nothing allocated
    const done = await givenJob(t.db, t.actor, 'GEARBOX', 10);
    await t.db('job_cards').where({ tenant_id: t.actor.tenantId, id: done.id }).update({ status: 'cancelled' });
    const ids = await t.db('parts').where({ tenant_id: t.actor.tenantId }).whereIn('sku', ['BOLT', 'HOUSING', 'MAGNET']).select('id', 'sku');
    const positions = await stockPositions(t.db, t.actor.tenantId, ids.map((p) => p.id));
    const of = (sku: string) => positions.get(ids.find((p) => p.sku === sku)!.id)!;
    expect([of('BOLT').onHand, of('BOLT').allocated, of('BOLT').demand].map(String)).toEqual(['5', '4', '6']);
    expect(of('HOUSING').demand.toFixed()).toBe('5');
    expect(of('MAGNET').demand.toFixed()).toBe('0');
  });
});
