import { givenApiClient } from '../support/app';
import { givenPart } from '../support/builders';
import { createApiKey } from '../../server/services/auth/accounts';
import { documentedApi } from './support/documented-api';
import { countRows, onHand } from '../support/ledger-checks';
import { givenPumpWorks, givenBom, givenStock, available, jobsAndLedger } from '../integration/jobs/helpers';
import request from 'supertest';

// Job cards and dispatch over /api/v1: the whole flow with every response checked against the
// OpenAPI document, and bad input refused at the field with nothing written.


const t = documentedApi();
const { expectDocumented } = t;

/** An admin client whose organisation makes pumps (see test/integration/jobs/helpers.ts). */
async function pumpClient() {
  const c = await givenApiClient(t.db, t.app);
  await givenPumpWorks(t.db, c.actor);
  return c;
}

const NEW_PUMPS = { part: 'PUMP', quantity: '2', due_on: '2026-12-10', customer: 'Hydro Ltd', sale_price: '200' };

describe('job cards over /api/v1', () => {
  it('creates, releases, completes a step, completes the job with serials and dispatches one', async () => {
    const c = await pumpClient();
    const created = await c.post('/api/v1/jobs', NEW_PUMPS, { 'Idempotency-Key': 'job-1' }).expect(201);
    expectDocumented(created, 'post', '/jobs');
    expect(created.body).toMatchObject({ number: 'J-00001', status: 'draft', part: 'PUMP', quantity: '2', customer: 'Hydro Ltd', due_on: '2026-12-10' });
    expect(created.body.steps.map((s: any) => s.step)).toEqual([1, 2]);
    const again = await c.post('/api/v1/jobs', NEW_PUMPS, { 'Idempotency-Key': 'job-1' }).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await countRows(t.db, c.actor, 'job_cards')).toBe(1);

    const released = await c.post('/api/v1/jobs/J-00001/release', undefined, { 'Idempotency-Key': 'rel-1' }).expect(201);
    expectDocumented(released, 'post', '/jobs/{id}/release');
    expect(released.body.lines.map((l: any) => [l.part, l.required, l.allocated, l.short])).toEqual([['FRAME', '2', '2', '0'], ['SCREW', '9', '9', '0'], ['MOTOR', '2', '2', '0']]);
    expect(await available(t.db, c.actor, 'FRAME')).toBe('8');
    expect(await onHand(t.db, c.actor, 'FRAME')).toBe('10');
    const replay = await c.post('/api/v1/jobs/J-00001/release', undefined, { 'Idempotency-Key': 'rel-1' }).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    const step = await c.post(`/api/v1/jobs/${created.body.id}/steps/1/complete`, { quantity: '2', labour_minutes: 30, occurred_on: '2026-11-25' }, { 'Idempotency-Key': 'step-1' }).expect(201);
    expectDocumented(step, 'post', '/jobs/{id}/steps/{step}/complete');
    expect(step.body.consumption.journal.lines.map((l: any) => [l.role, l.debit, l.credit])).toEqual([['wip', '10.90', '0.00'], ['raw_materials', '0.00', '10.90']]);
    expect(step.body.job).toMatchObject({ status: 'in_progress', costs: { wip: '10.90' } });
    expect(await onHand(t.db, c.actor, 'FRAME')).toBe('8');

    const done = await c.post('/api/v1/jobs/J-00001/complete', { serials: 'P-1 P-2', occurred_on: '2026-11-25' }, { 'Idempotency-Key': 'done-1' }).expect(201);
    expectDocumented(done, 'post', '/jobs/{id}/complete');
    expect(done.body.completion.journal.lines.map((l: any) => [l.role, l.debit, l.credit])).toEqual([['finished_goods', '110.90', '0.00'], ['wip', '0.00', '110.90']]);
    expect(done.body.job.outputs).toEqual([{ serial: 'P-1', lot: null, quantity: '1' }, { serial: 'P-2', lot: null, quantity: '1' }]);
    expect(done.body.job.costs).toMatchObject({ material: '110.90', wip: '0.00', finished_value: '110.90', unit_cost: '55.45' });

    const sent = await c.post('/api/v1/dispatches', { customer: 'Hydro Ltd', reference: 'PO-H1', occurred_on: '2026-11-26', lines: [{ part: 'PUMP', quantity: '1', serials: ['P-1'], unit_price: '200' }] }, { 'Idempotency-Key': 'd-1' }).expect(201);
    expectDocumented(sent, 'post', '/dispatches');
    expect(sent.body).toMatchObject({ number: 'D-00001', customer: 'Hydro Ltd', cost: '55.45', lines: [{ part: 'PUMP', job: 'J-00001', quantity: '1', unit_price: '200', cost: '55.45', serials: ['P-1'] }] });
    expectDocumented(await c.get('/api/v1/dispatches/D-00001').expect(200), 'get', '/dispatches/{number}');
    const list = await c.get('/api/v1/dispatches?q=hydro').expect(200);
    expectDocumented(list, 'get', '/dispatches');
    expect(list.body.dispatches).toEqual([expect.objectContaining({ number: 'D-00001', units: '1', cost: '55.45', parts: ['PUMP'], jobs: ['J-00001'] })]);

    const job = await c.get('/api/v1/jobs/J-00001').expect(200);
    expectDocumented(job, 'get', '/jobs/{id}');
    expect(job.body.costs.actual_margin).toEqual({ revenue: '200.00', cost: '55.45', amount: '144.55', pct: '72.3' });
    // The completion's consumption and receipt share one transaction (and recorded_at): compare as a set.
    expect(job.body.history.map((h: any) => [h.kind, h.step, h.quantity])).toEqual(expect.arrayContaining([['step', 1, '2'], ['step', null, '2'], ['completion', null, '2']]));
    expect(job.body.history).toHaveLength(3);
    const board = await c.get('/api/v1/jobs?status=all&q=PUMP').expect(200);
    expectDocumented(board, 'get', '/jobs');
    expect(board.body.jobs.map((j: any) => [j.number, j.status])).toEqual([['J-00001', 'completed']]);
    expect((await c.get('/api/v1/jobs').expect(200)).body.jobs).toEqual([]); // open jobs only by default
    await c.get('/api/v1/dispatches/D-99999').expect(404);
  });

  it('makes a short sub-assembly a child job, allocates again and cancels', async () => {
    const c = await givenApiClient(t.db, t.app);
    for (const sku of ['PIN', 'CASE']) await givenPart(t.db, c.actor, sku);
    await givenPart(t.db, c.actor, 'HUB', { source: 'made' });
    await givenPart(t.db, c.actor, 'WHEEL', { source: 'made' });
    await givenStock(t.db, c.actor, [['PIN', 10, '1.00']]);
    await givenBom(t.db, c.actor, [['HUB', 'PIN', 2, 1], ['WHEEL', 'HUB', 1, 1], ['WHEEL', 'CASE', 1, 2]]);
    const wheel = await c.post('/api/v1/jobs', { part: 'WHEEL', quantity: 3, location: 'MAIN', due_on: '2026-12-01', release: true }).expect(201);
    const hub = wheel.body.lines.find((l: any) => l.part === 'HUB');
    expect(hub).toMatchObject({ short: '3', made: true, child_job: null });
    const child = await c.post(`/api/v1/jobs/${wheel.body.number}/lines/${hub.id}/child-job`, undefined, { 'Idempotency-Key': 'child-1' }).expect(201);
    expectDocumented(child, 'post', '/jobs/{id}/lines/{lineId}/child-job');
    expect(child.body).toMatchObject({ part: 'HUB', quantity: '3', status: 'released', parent_job: { number: wheel.body.number }, top_job: { number: wheel.body.number } });
    const caseLine = wheel.body.lines.find((l: any) => l.part === 'CASE');
    const notMade = await c.post(`/api/v1/jobs/${wheel.body.number}/lines/${caseLine.id}/child-job`).expect(422);
    expectDocumented(notMade, 'post', '/jobs/{id}/lines/{lineId}/child-job');
    expect(notMade.body.error.fields).toEqual([{ field: 'line', message: expect.stringMatching(/CASE has no bill of materials/) }]);

    await givenStock(t.db, c.actor, [['CASE', 5, '4.00']]);
    const again = await c.post(`/api/v1/jobs/${wheel.body.id}/allocate`, undefined, { 'Idempotency-Key': 'alloc-1' }).expect(201);
    expectDocumented(again, 'post', '/jobs/{id}/allocate');
    expect(again.body.lines.find((l: any) => l.part === 'CASE')).toMatchObject({ allocated: '3', short: '0' });
    expect((await c.post(`/api/v1/jobs/${wheel.body.id}/allocate`, undefined, { 'Idempotency-Key': 'alloc-1' }).expect(201)).headers['idempotent-replayed']).toBe('true');

    const cancelled = await c.post(`/api/v1/jobs/${child.body.number}/cancel`, undefined, { 'Idempotency-Key': 'cancel-1' }).expect(201);
    expectDocumented(cancelled, 'post', '/jobs/{id}/cancel');
    expect(cancelled.body.status).toBe('cancelled');
    expect(await available(t.db, c.actor, 'PIN')).toBe('10');
    const replayed = await c.post(`/api/v1/jobs/${child.body.number}/cancel`, undefined, { 'Idempotency-Key': 'cancel-1' }).expect(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    const twice = await c.post(`/api/v1/jobs/${child.body.number}/cancel`).expect(409);
    expectDocumented(twice, 'post', '/jobs/{id}/cancel');
    expect(twice.body.error.message).toMatch(/is cancelled/);
  });
});

describe('bad input to job cards and dispatch', () => {
  /** Posts, expects the status, checks the documented shape and that the database is as it was. */
  async function refused(c: Awaited<ReturnType<typeof pumpClient>>, path: string, docPath: string, body: unknown, status: number) {
    const before = await jobsAndLedger(t.db, c.actor);
    const res = await c.post(path, body).expect(status);
    expectDocumented(res, 'post', docPath);
    expect(await jobsAndLedger(t.db, c.actor)).toEqual(before);
    return res.body.error as { code: string; message: string; fields: { field: string; message: string }[] };
  }

  it('names the field at fault and changes nothing', async () => {
    const c = await pumpClient();
    const draft = (await c.post('/api/v1/jobs', { part: 'PUMP', quantity: '2', due_on: '2026-12-10' }).expect(201)).body;

    const noBom = await refused(c, '/api/v1/jobs', '/jobs', { part: 'FRAME', quantity: '1', due_on: '2026-12-10' }, 422);
    expect(noBom.fields).toEqual([{ field: 'part', message: expect.stringMatching(/FRAME has no bill of materials/) }]);
    const unknown = await refused(c, '/api/v1/jobs', '/jobs', { part: 'NOPE', quantity: '1', due_on: '2026-12-10' }, 422);
    expect(unknown.fields).toContainEqual({ field: 'part', message: 'Unknown part NOPE' });
    const malformed = await refused(c, '/api/v1/jobs', '/jobs', { part: 'PUMP', quantity: 'ten', due_on: '10/12/2026' }, 422);
    expect(malformed.fields.map((f) => f.field).sort()).toEqual(['due_on', 'quantity']);
    const half = await refused(c, '/api/v1/jobs', '/jobs', { part: 'PUMP', quantity: '1.5', due_on: '2026-12-10' }, 422);
    expect(half.fields).toEqual([{ field: 'quantity', message: expect.stringMatching(/whole/) }]);

    const notReleased = await refused(c, `/api/v1/jobs/${draft.id}/steps/1/complete`, '/jobs/{id}/steps/{step}/complete', { quantity: '1' }, 409);
    expect(notReleased.message).toMatch(/J-00001 is a draft: release it first/);

    await c.post(`/api/v1/jobs/${draft.id}/release`).expect(201);
    const tooMany = await refused(c, `/api/v1/jobs/${draft.id}/steps/1/complete`, '/jobs/{id}/steps/{step}/complete', { quantity: '3' }, 422);
    expect(tooMany.fields).toEqual([{ field: 'quantity', message: expect.stringMatching(/more than the job's 2/) }]);
    const noStep = await refused(c, `/api/v1/jobs/${draft.id}/steps/7/complete`, '/jobs/{id}/steps/{step}/complete', { quantity: '1' }, 422);
    expect(noStep.fields).toEqual([{ field: 'step', message: 'Job J-00001 has no step 7' }]);
    const tooManyDone = await refused(c, `/api/v1/jobs/${draft.id}/complete`, '/jobs/{id}/complete', { quantity: '3', serials: ['A', 'B', 'C'] }, 422);
    expect(tooManyDone.fields).toContainEqual({ field: 'quantity', message: expect.stringMatching(/more than the job's 2/) });
    const serialsShort = await refused(c, `/api/v1/jobs/${draft.id}/complete`, '/jobs/{id}/complete', { serials: ['P-1'] }, 422);
    expect(serialsShort.fields).toEqual([{ field: 'serials', message: expect.stringMatching(/one serial for each of the 2 PUMP made \(1 given\)/) }]);

    // M1 and M2 are allocated to J-00001; a second job gets M3, and may not take M1.
    const other = (await c.post('/api/v1/jobs', { part: 'PUMP', quantity: '1', due_on: '2026-12-11', release: true }).expect(201)).body;
    expect(other.lines[2].allocations).toEqual([{ lot: null, serial: 'M3', quantity: '1' }]);
    const theirs = await refused(c, `/api/v1/jobs/${other.number}/steps/2/complete`, '/jobs/{id}/steps/{step}/complete', { quantity: '1', lines: [{ line: 'MOTOR', serials: ['M1'] }] }, 422);
    expect(theirs.fields).toEqual([{ field: 'lines.0.serials', message: 'Serial M1 of MOTOR is allocated to job J-00001; use one allocated to J-00002 or a free one' }]);

    const noSuchSerial = await refused(c, '/api/v1/dispatches', '/dispatches', { customer: 'Hydro Ltd', lines: [{ part: 'PUMP', quantity: '1', serials: ['P-404'] }] }, 422);
    expect(noSuchSerial.fields[0].field).toMatch(/^lines\.0\.serials/);
    const noCustomer = await refused(c, '/api/v1/dispatches', '/dispatches', { customer: ' ', lines: [{ part: 'PUMP', quantity: '1' }] }, 422);
    expect(noCustomer.fields).toEqual([{ field: 'customer', message: 'customer is required' }]);
    await c.post('/api/v1/jobs/J-09999/release').expect(404);
  });

  it('lets a bookkeeper read jobs but not change them', async () => {
    const c = await pumpClient();
    const job = (await c.post('/api/v1/jobs', { ...NEW_PUMPS, release: true }).expect(201)).body;
    const { key } = await createApiKey(t.db, c.actor.tenantId, null, 'books', 'bookkeeper');
    const book = (path: string) => request(t.app).post(path).set('Authorization', `Bearer ${key}`);
    const before = await jobsAndLedger(t.db, c.actor);
    for (const [path, docPath, body] of [
      ['/api/v1/jobs', '/jobs', NEW_PUMPS],
      [`/api/v1/jobs/${job.id}/steps/1/complete`, '/jobs/{id}/steps/{step}/complete', { quantity: '1' }],
      [`/api/v1/jobs/${job.id}/complete`, '/jobs/{id}/complete', {}],
      [`/api/v1/jobs/${job.id}/cancel`, '/jobs/{id}/cancel', undefined],
      ['/api/v1/dispatches', '/dispatches', { customer: 'X', lines: [{ part: 'FRAME', quantity: '1' }] }],
    ] as [string, string, object | undefined][]) {
      const res = await book(path).send(body).expect(403);
      expectDocumented(res, 'post', docPath);
      expect(res.body.error.message).toMatch(/needs the admin or operations role/);
    }
    expect(await jobsAndLedger(t.db, c.actor)).toEqual(before);
    const read = await request(t.app).get(`/api/v1/jobs/${job.number}`).set('Authorization', `Bearer ${key}`).expect(200);
    expect(read.body.status).toBe('released');
  });
});
