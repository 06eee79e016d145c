import request from 'supertest';
import { givenApiClient } from '../support/app';
import { documentedApi } from './support/documented-api';
import { givenGearboxWorks, givenStock, givenJob, givenPo, childFor, givenPumpLine, givenAssembler, givenPumpBuilt, givenDispatched } from '../integration/planning/helpers';

const t = documentedApi({ anonymous: true });
const { expectDocumented } = t;

describe('shortages over /api/v1', () => {
  it('answers the cascade, documented, to any role', async () => {
    const c = await givenApiClient(t.db, t.app, 'bookkeeper');
    await givenGearboxWorks(t.db, c.actor);
    await givenStock(t.db, c.actor, [['BOLT', 10, '1'], ['NUT', 10, '1'], ['WIRE', 10, '1']]);
    const top = await givenJob(t.db, c.actor, 'GEARBOX', 2, { release: true, customer: 'Mill Ltd' });
    const housing = await childFor(t.db, c.actor, top.number, 'HOUSING');
    await givenPo(t.db, c.actor, 'PO-7', '2026-12-04', [['MAGNET', 5]]);

    const res = await c.get('/api/v1/shortages').expect(200);
    expectDocumented(res, 'get', '/shortages');
    expect(res.body.parts).toEqual([{
      part: 'MAGNET', name: 'Part MAGNET', unit: 'each', short: '2', free: '0', on_order: '5',
      blocks: [{ job: housing.number, top_job: top.number, due: '2026-12-10', short: '2' }],
      covered_by: { id: expect.any(String), number: 'PO-7', expected_date: '2026-12-04' },
    }]);
    expect(res.body.top_jobs.map((j: any) => [j.job, j.customer, j.blocked_by.map((b: any) => b.part)])).toEqual([[top.number, 'Mill Ltd', ['MAGNET']]]);
    expect(res.body.to_make.map((m: any) => [m.part, m.quantity])).toEqual([['ROTOR', '2']]);
  });

  it('needs an API key', async () => {
    const res = await request(t.app).get('/api/v1/shortages').expect(401);
    expectDocumented(res, 'get', '/shortages');
  });
});

describe('traceability over /api/v1', () => {
  let c: Awaited<ReturnType<typeof givenApiClient>>;
  let jobs: { pump: string; rotor: string };
  beforeAll(async () => {
    c = await givenApiClient(t.db, t.app, 'operations');
    await givenPumpLine(t.db, c.actor);
    const admin = { ...c.actor, userId: (await t.db('users').where({ tenant_id: c.actor.tenantId }).first('id')).id };
    jobs = await givenPumpBuilt(t.db, admin, await givenAssembler(t.db, admin, `sam-${c.actor.tenantId.slice(0, 6)}@example.com`));
    await givenDispatched(t.db, admin, 'Hydro Ltd', 'PUMP', ['P-1']);
  });

  it('answers a serial\'s as-built record to every level, documented', async () => {
    const res = await c.get('/api/v1/trace/serial/PUMP/P-1').expect(200);
    expectDocumented(res, 'get', '/trace/serial/{part}/{serial}');
    expect(res.body.build.job.number).toBe(jobs.pump);
    const rotor = res.body.build.components.find((x: any) => x.part === 'ROTOR-ASSY');
    expect(rotor.serial).toBe('R-1');
    expect(rotor.made_by[0].job.number).toBe(jobs.rotor);
    expect(rotor.made_by[0].components.map((x: any) => [x.part, x.lot, x.serial])).toEqual([['MOTOR', null, 'M1'], ['SEAL', 'L-100', null]]);
    expect(res.body.dispatches[0].customer).toBe('Hydro Ltd');
  });

  it('answers a recall by lot or serial, documented', async () => {
    const lot = await c.get('/api/v1/trace/recall/SEAL?lot=L-100').expect(200);
    expectDocumented(lot, 'get', '/trace/recall/{part}');
    expect(lot.body.units.map((u: any) => u.serial)).toEqual(['R-1', 'P-1']);
    expect(lot.body.customers).toEqual(['Hydro Ltd']);
    const serial = await c.get('/api/v1/trace/recall/MOTOR?serial=M1').expect(200);
    expectDocumented(serial, 'get', '/trace/recall/{part}');
    expect(serial.body.customers).toEqual(['Hydro Ltd']);
  });

  it('answers 404 naming an unknown serial, lot or part, and 422 for a recall naming both or neither', async () => {
    const cases: [string, number, string, string][] = [
      ['/trace/serial/PUMP/P-9', 404, '/trace/serial/{part}/{serial}', 'Serial P-9 of PUMP was not found'],
      ['/trace/serial/NOPE/P-1', 404, '/trace/serial/{part}/{serial}', 'Part NOPE was not found'],
      ['/trace/recall/SEAL?lot=L-404', 404, '/trace/recall/{part}', 'Lot L-404 of SEAL was not found'],
      ['/trace/recall/SEAL', 422, '/trace/recall/{part}', 'lot: give either a lot or a serial, not both'],
      ['/trace/recall/SEAL?lot=L-100&serial=M1', 422, '/trace/recall/{part}', 'lot: give either a lot or a serial, not both'],
    ];
    for (const [url, status, path, message] of cases) {
      const res = await c.get(`/api/v1${url}`);
      expect({ url, status: res.status, message: res.body.error?.message }).toEqual({ url, status, message });
      expectDocumented(res, 'get', path);
    }
  });
});
