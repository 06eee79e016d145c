import { Db } from '../../../server/db';
import { Actor } from '../../../server/services/stock/types';
import { asBuilt } from '../../../server/services/trace/as-built';
import { recall } from '../../../server/services/trace/recall';
import { Build } from '../../../server/services/trace/types';
import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation } from '../../support/builders';
import { dec } from '../../../server/domain/decimal';
import { completeJob } from '../../../server/services/jobs/complete-job';
import { dispatchGoods } from '../../../server/services/dispatch/dispatch';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { givenPart } from '../../support/builders';
import { line } from '../../support/ledger-checks';
import { givenPumpLine, givenAssembler, givenPumpBuilt, givenDispatched, givenBom, givenJob, TODAY } from './helpers';

let t: TestDb;
let db: Db;
let actor: Actor;
let admin: string;
let jobs: { pump: string; rotor: string };
beforeAll(async () => { t = await openTestDb(); db = t.db; });
afterAll(async () => { await t.close(); });
beforeEach(async () => {
  actor = await givenOrganisation(db);
  admin = (await db('users').where({ tenant_id: actor.tenantId, id: actor.userId }).first('email')).email;
  await givenPumpLine(db, actor);
  jobs = await givenPumpBuilt(db, actor, await givenAssembler(db, actor, `sam-${actor.tenantId.slice(0, 8)}@example.com`));
});

const components = (b: Build) => b.components.map((c) => [c.part, c.quantity, c.lot, c.serial, c.step]);
const events = (b: Build) => b.events.map((e) => [e.kind, e.step, e.user?.replace(/-[0-9a-f]{8}@/, '@'), e.occurred_on, e.serials]);

describe('as-built', () => {
  test('a finished serial shows its job, every component with its serial or lot, the child job that made a sub-assembly, who did each step and when, and the customer', async () => {
    await givenDispatched(db, actor, 'Hydro Ltd', 'PUMP', ['P-1']);
    const a = await asBuilt(db, actor.tenantId, 'PUMP', 'P-1');
    expect(a).toMatchObject({ part: 'PUMP', serial: 'P-1', status: 'out', location: null, used_in: [] });
    expect(a.dispatches).toEqual([{ number: expect.stringMatching(/^D-/), customer: 'Hydro Ltd', occurred_on: TODAY, quantity: '1' }]);
    const pump = a.build!;
    expect(pump.job).toMatchObject({ number: jobs.pump, part: 'PUMP', status: 'completed', customer: 'Hydro Ltd', parent_job: null, top_job: jobs.pump });
    expect(pump.job.released_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(pump.units).toEqual([{ serial: 'P-1', lot: null, quantity: '1' }]);
    expect(components(pump)).toEqual([['FRAME', '1', null, null, 1], ['SCREW', '4', null, null, 1], ['ROTOR-ASSY', '1', null, 'R-1', 2]]);
    expect(events(pump)).toEqual([
      ['step', 1, 'sam@example.com', TODAY, []],
      ['step', 2, 'sam@example.com', TODAY, []],
      ['completion', null, admin.replace(/-[0-9a-f]{8}@/, '@'), TODAY, ['P-1']],
    ]);

    const [rotor] = pump.components[2].made_by;
    expect(rotor.job).toMatchObject({ number: jobs.rotor, part: 'ROTOR-ASSY', parent_job: jobs.pump, top_job: jobs.pump });
    expect(components(rotor)).toEqual([['MOTOR', '1', null, 'M1', 1], ['SEAL', '2', 'L-100', null, 1]]);
    expect(events(rotor).map((e) => e.slice(0, 3))).toEqual([['step', 1, 'sam@example.com'], ['completion', null, admin.replace(/-[0-9a-f]{8}@/, '@')]]);
    expect(rotor.components.every((c) => c.made_by.length === 0)).toBe(true);
  });

  test('a serial still in stock shows where it is; a bought serial shows the job it went into', async () => {
    const a = await asBuilt(db, actor.tenantId, 'PUMP', 'P-1');
    expect([a.status, a.location, a.dispatches]).toEqual(['in_stock', 'MAIN', []]);
    const motor = await asBuilt(db, actor.tenantId, 'MOTOR', 'M1');
    expect(motor).toMatchObject({ part: 'MOTOR', serial: 'M1', build: null, status: 'out', used_in: [{ job: jobs.rotor, part: 'ROTOR-ASSY', serials: ['R-1'], quantity: '1' }] });
    expect((await asBuilt(db, actor.tenantId, 'MOTOR', 'M2')).used_in).toEqual([]);
  });

  test('an unknown serial or part is not found, named', async () => {
    await expect(asBuilt(db, actor.tenantId, 'PUMP', 'P-9')).rejects.toMatchObject({ status: 404, message: 'Serial P-9 of PUMP was not found' });
    await expect(asBuilt(db, actor.tenantId, 'NOPE', 'P-1')).rejects.toMatchObject({ status: 404, message: 'Part NOPE was not found' });
  });
});

describe('recall', () => {
  test('a component lot reaches the sub-assembly serial, the finished serial it went into and, once dispatched, the customer', async () => {
    let r = await recall(db, actor.tenantId, 'SEAL', { lot: 'L-100' });
    expect(r.jobs.map((j) => [j.level, j.job, j.part, j.consumed.map((c) => [c.part, c.lot, c.serial, c.quantity])])).toEqual([
      [1, jobs.rotor, 'ROTOR-ASSY', [['SEAL', 'L-100', null, '2']]],
      [2, jobs.pump, 'PUMP', [['ROTOR-ASSY', null, 'R-1', '1']]],
    ]);
    expect(r.units.map((u) => [u.level, u.part, u.serial, u.in_stock, u.consumed_into, u.dispatches])).toEqual([
      [1, 'ROTOR-ASSY', 'R-1', '0', [jobs.pump], []],
      [2, 'PUMP', 'P-1', '1', [], []],
    ]);
    expect([r.dispatches, r.customers]).toEqual([[], []]);

    const sent = await givenDispatched(db, actor, 'Hydro Ltd', 'PUMP', ['P-1']);
    r = await recall(db, actor.tenantId, 'SEAL', { lot: 'L-100' });
    expect(r.dispatches).toEqual([{ level: 2, number: sent.number, customer: 'Hydro Ltd', occurred_on: TODAY, part: 'PUMP', serial: 'P-1', lot: null, quantity: '1', job: jobs.pump }]);
    expect(r.customers).toEqual(['Hydro Ltd']);
    expect(r.units[1]).toMatchObject({ serial: 'P-1', in_stock: '0', dispatches: [sent.number] });
  });

  test('a component serial is followed the same way; a lot nobody used reaches nothing', async () => {
    await givenDispatched(db, actor, 'Hydro Ltd', 'PUMP', ['P-1']);
    const motor = await recall(db, actor.tenantId, 'MOTOR', { serial: 'M1' });
    expect(motor.units.map((u) => u.serial)).toEqual(['R-1', 'P-1']);
    expect(motor.customers).toEqual(['Hydro Ltd']);
    const unused = await recall(db, actor.tenantId, 'SEAL', { lot: 'L-200' });
    expect([unused.jobs, unused.units, unused.customers]).toEqual([[], [], []]);
  });

  test('a spare sold straight from stock is reached at level 0', async () => {
    await givenDispatched(db, actor, 'Spares Direct', 'MOTOR', ['M3']);
    const r = await recall(db, actor.tenantId, 'MOTOR', { serial: 'M3' });
    expect(r.dispatches.map((d) => [d.level, d.customer, d.part, d.serial, d.job])).toEqual([[0, 'Spares Direct', 'MOTOR', 'M3', null]]);
  });

  test('refuses an unknown lot, and a request naming both or neither of lot and serial', async () => {
    await expect(recall(db, actor.tenantId, 'SEAL', { lot: 'L-999' })).rejects.toMatchObject({ status: 404, message: 'Lot L-999 of SEAL was not found' });
    await expect(recall(db, actor.tenantId, 'SEAL', {})).rejects.toMatchObject({ status: 422, fields: [{ field: 'lot' }] });
    await expect(recall(db, actor.tenantId, 'SEAL', { lot: 'L-100', serial: 'M1' })).rejects.toMatchObject({ status: 422 });
  });
});

describe('lot-made sub-assemblies', () => {
  test('a lot made by one job and consumed by another is followed both ways', async () => {
    await givenPart(db, actor, 'OIL', { tracking: 'lot', fractional: true });
    await givenPart(db, actor, 'GREASE', { source: 'made', tracking: 'lot' });
    await givenPart(db, actor, 'VALVE', { source: 'made', tracking: 'serial' });
    await postStockEvent(db, actor, { kind: 'opening_balance', occurredOn: TODAY, lines: [line('OIL', 'MAIN', '5.5', '3.00', { lot: 'OIL-7' })] });
    await givenBom(db, actor, [['GREASE', 'OIL', '0.5', 1], ['VALVE', 'GREASE', 1, 1]]);
    const grease = await givenJob(db, actor, 'GREASE', 4, { release: true });
    await completeJob(db, actor, grease.id, { occurredOn: TODAY });
    const valve = await givenJob(db, actor, 'VALVE', 2, { release: true });
    await completeJob(db, actor, valve.id, { serials: ['V-1', 'V-2'], occurredOn: TODAY });
    await givenDispatched(db, actor, 'Acme Valves', 'VALVE', ['V-1']);

    const r = await recall(db, actor.tenantId, 'OIL', { lot: 'OIL-7' });
    expect(r.jobs.map((j) => [j.level, j.job, j.consumed.map((c) => [c.part, c.lot, c.quantity])])).toEqual([
      [1, grease.number, [['OIL', 'OIL-7', '2']]],
      [2, valve.number, [['GREASE', grease.number, '2']]],
    ]);
    expect(r.units.map((u) => [u.level, u.part, u.lot, u.serial, u.quantity, u.in_stock, u.consumed_into])).toEqual([
      [1, 'GREASE', grease.number, null, '4', '2', [valve.number]],
      [2, 'VALVE', null, 'V-1', '1', '0', []],
      [2, 'VALVE', null, 'V-2', '1', '1', []],
    ]);
    expect(r.customers).toEqual(['Acme Valves']);

    // No step was completed on its own, so everything was consumed at completion (step null).
    const a = await asBuilt(db, actor.tenantId, 'VALVE', 'V-2');
    expect(components(a.build!)).toEqual([['GREASE', '2', grease.number, null, null]]);
    expect(components(a.build!.components[0].made_by[0])).toEqual([['OIL', '2', 'OIL-7', null, null]]);
  });

  test('an untracked finished good is followed to its customers through the job its dispatch names', async () => {
    await givenPart(db, actor, 'OIL', { tracking: 'lot', fractional: true });
    await givenPart(db, actor, 'KIT', { source: 'made' });
    await postStockEvent(db, actor, { kind: 'opening_balance', occurredOn: TODAY, lines: [line('OIL', 'MAIN', 4, '3.00', { lot: 'OIL-9' })] });
    await givenBom(db, actor, [['KIT', 'OIL', 1, 1]]);
    const kit = await givenJob(db, actor, 'KIT', 3, { release: true });
    await completeJob(db, actor, kit.id, { occurredOn: TODAY });
    await dispatchGoods(db, actor, { customer: 'Garage Ltd', occurredOn: TODAY, lines: [{ part: 'KIT', quantity: dec(2), job: kit.number }] });

    const r = await recall(db, actor.tenantId, 'OIL', { lot: 'OIL-9' });
    expect(r.units.map((u) => [u.part, u.lot, u.quantity, u.tracked, u.dispatches.length])).toEqual([['KIT', null, '3', false, 1]]);
    expect(r.dispatches.map((d) => [d.level, d.customer, d.part, d.quantity, d.job])).toEqual([[1, 'Garage Ltd', 'KIT', '2', kit.number]]);
    expect(r.customers).toEqual(['Garage Ltd']);
  });
});
