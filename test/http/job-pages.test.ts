import request from 'supertest';
import { Express } from 'express';
import { csrfOf, signIn as signInAs } from './support/session';
import { openTestDb, TestDb } from '../support/db';
import { testApp } from '../support/app';
import { createOrganisation, addUser } from '../../server/services/auth/accounts';
import { dec } from '../../server/domain/decimal';
import { Actor } from '../../server/services/stock/types';
import { onHand } from '../support/ledger-checks';
import { cancelJob } from '../../server/services/jobs/release';
import { givenPumpWorks, givenJob, givenStock, givenBom, available, jobsAndLedger } from '../integration/jobs/helpers';
import { givenPart } from '../support/builders';

// The job board, the job card and dispatch over HTTP: as a browser without JavaScript (plain form
// posts, 303) and as htmx (HX-Request: the card fragment). Each write is checked in the database.

jest.setTimeout(120_000);

type Agent = ReturnType<typeof request.agent>;
const ADMIN = { email: 'ada@job-pages.example', password: 'correct horse battery' };
const OPS = { email: 'otto@job-pages.example', password: 'operations password 1' };
const BOOK = { email: 'bea@job-pages.example', password: 'bookkeeper password 1' };

let t: TestDb;
let app: Express;
let actor: Actor;
let ops: Agent;
let book: Agent;

beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
  const user = await createOrganisation(t.db, { organisation: 'Pump Works', name: 'Ada Admin', email: ADMIN.email, password: ADMIN.password });
  actor = { tenantId: user.tenantId, userId: user.userId, role: 'admin' };
  await addUser(t.db, actor.tenantId, { ...OPS, name: 'Otto Operator', role: 'operations' });
  await addUser(t.db, actor.tenantId, { ...BOOK, name: 'Bea Books', role: 'bookkeeper' });
  await givenPumpWorks(t.db, actor); // 10 frames, 100 screws, motors M1-M3; a pump is 1 frame + 4 screws (step 1) + 1 motor (step 2)
  await givenStock(t.db, actor, [['MOTOR', 3, '50.00', ['M4', 'M5', 'M6']]]);
  [ops, book] = await Promise.all([signInAs(app, OPS.email, OPS.password), signInAs(app, BOOK.email, BOOK.password)]);
}, 180_000);
afterAll(async () => { await t.close(); });

/** The one-time key of the form posting to `action` on the page. */
function keyOf(html: string, action: string): string {
  const at = html.indexOf(`action="${action}"`);
  if (at < 0) throw new Error(`no form posting to ${action}`);
  const m = /name="idempotency_key" value="([^"]+)"/.exec(html.slice(at));
  return m![1];
}

async function form(agent: Agent, page: string, action: string, fields: Record<string, unknown>) {
  const html = (await agent.get(page).expect(200)).text;
  return { _csrf: csrfOf(html), idempotency_key: keyOf(html, action), ...fields };
}

/** A row of a form with line rows, named as the browser posts it (supertest would send lines[part]). */
const row = (i: number, fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [`lines[${i}][${k}]`, v]));
const status = async (number: string) => (await t.db('job_cards').where({ tenant_id: actor.tenantId, number }).first('status')).status;
const jobCount = async () => Number((await t.db('job_cards').where({ tenant_id: actor.tenantId }).count({ n: '*' }).first())!.n);

describe('the job board', () => {
  it('shows jobs by status with part, quantity, due date, customer and a red badge for short lines', async () => {
    await givenJob(t.db, actor, 'PUMP', 1, { customer: 'Board Co' });
    const short = await givenJob(t.db, actor, 'PUMP', 7, { release: true, dueOn: '2026-12-20' }); // 6 motors for 7 pumps
    const html = (await ops.get('/jobs').expect(200)).text;
    const col = (status: string) => new RegExp(`<section class="job-col" id="col-${status}"[\\s\\S]*?</section>`).exec(html)![0];
    expect(col('draft')).toContain('Board Co');
    expect(col('released')).toContain(`data-job="${short.number}"`);
    expect(col('released')).toMatch(/<span class="badge badge-short">1 short<\/span>/);
    expect(col('released')).toContain('7 units');
    expect(col('released')).toContain('due 2026-12-20');
    expect(html).toContain('New job card');
    expect(html).toContain('<option value="PUMP">');
    const books = (await book.get('/jobs').expect(200)).text;
    expect(books).toContain(short.number);
    expect(books).not.toContain('New job card');
    await cancelJob(t.db, actor, short.id); // its motors are needed below
  });

  it('is in the navigation: Jobs and Dispatch for the shop floor, Jobs for the bookkeeper', async () => {
    const nav = async (agent: Agent) => /<nav aria-label="Main">([\s\S]*?)<\/nav>/.exec((await agent.get('/journals').expect(200)).text)![1];
    const links = (html: string) => ['/jobs', '/dispatches'].filter((href) => html.includes(`href="${href}"`));
    expect(links(await nav(ops))).toEqual(['/jobs', '/dispatches']);
    expect(links(await nav(book))).toEqual(['/jobs']);
  });

  it('shows a refused new job card at its fields and creates nothing', async () => {
    const before = await jobCount();
    const bad = await ops.post('/jobs').type('form').send(await form(ops, '/jobs', '/jobs', { part: 'FRAME', quantity: 'two', due_on: '2026-12-10' })).expect(422);
    expect(bad.text).toMatch(/<small class="error" id="e-quantity" role="alert">must be a number \(got &quot;two&quot;\)<\/small>/);
    expect(bad.text).toMatch(/<details class="card job-new" id="job-new" open>/);
    const noBom = await ops.post('/jobs').type('form').set('HX-Request', 'true').send(await form(ops, '/jobs', '/jobs', { part: 'FRAME', quantity: '2', due_on: '2026-12-10', customer: 'Kept Ltd' })).expect(422);
    expect(noBom.text).not.toContain('<html');
    expect(noBom.text).toMatch(/<small class="error" id="e-part" role="alert">FRAME has no bill of materials/);
    expect(noBom.text).toContain('value="Kept Ltd"');
    expect(await jobCount()).toBe(before);
  });

  it('creates a job card and releases it at once when asked', async () => {
    const res = await ops.post('/jobs').type('form').send(await form(ops, '/jobs', '/jobs', { part: 'PUMP', quantity: '1', due_on: '2026-12-12', customer: 'New Co', sale_price: '150', release: 'on' })).expect(303);
    const number = res.headers.location.split('/').pop()!;
    expect(await status(number)).toBe('released');
    const html = (await ops.get(res.headers.location).expect(200)).text;
    expect(html).toContain(`Job ${number}`);
    expect(html).toContain('New Co');
  });
});

describe('the job card', () => {
  it('releases a draft from its button (CSRF required), as a plain post and through htmx', async () => {
    const job = await givenJob(t.db, actor, 'PUMP', 1, { customer: 'Release Co' });
    const page = `/jobs/${job.number}`;
    await ops.post(`${page}/release`).type('form').send({ idempotency_key: 'x' }).expect(403);
    expect(await status(job.number)).toBe('draft');
    const frames = await available(t.db, actor, 'FRAME');
    const res = await ops.post(`${page}/release`).type('form').set('HX-Request', 'true').send(await form(ops, page, `${page}/release`, {})).expect(200);
    expect(res.text.trim()).toMatch(/^<div id="job-card"/);
    expect(res.text).toContain('Released: components allocated');
    expect(await status(job.number)).toBe('released');
    expect(Number(await available(t.db, actor, 'FRAME'))).toBe(Number(frames) - 1);
    const again = await ops.post(`${page}/release`).type('form').set('HX-Request', 'true').send(await form(ops, page, `${page}/cancel`, {})).expect(409);
    expect(again.text).toMatch(/<div class="problem" role="alert"><strong>Nothing was saved.<\/strong> Job J-\d+ is released; only a draft job is released<\/div>/);
  });

  it('turns a short sub-assembly into a child job from its line', async () => {
    await givenPart(t.db, actor, 'HUB', { source: 'made' });
    await givenPart(t.db, actor, 'WHEEL', { source: 'made' });
    await givenBom(t.db, actor, [['HUB', 'SCREW', 2, 1], ['WHEEL', 'HUB', 1, 1]]);
    const job = await givenJob(t.db, actor, 'WHEEL', 2, { release: true });
    const page = `/jobs/${job.number}`;
    const hub = job.lines[0].id;
    const html = (await ops.get(page).expect(200)).text;
    expect(html).toMatch(new RegExp(`<tr id="jl-${hub}" data-part="HUB" class="is-short">`));
    const res = await ops.post(`${page}/lines/${hub}/child-job`).type('form').set('HX-Request', 'true').send(await form(ops, page, `${page}/lines/${hub}/child-job`, {})).expect(200);
    const child = (await t.db('job_cards').where({ tenant_id: actor.tenantId, parent_job_id: job.id }).first('number', 'status'));
    expect(child.status).toBe('released');
    expect(res.text).toContain(`Child job ${child.number} made and released for 2 HUB`);
    expect(res.text).toContain(`<a href="/jobs/${child.number}">${child.number}</a>`);
    expect(res.text).not.toContain('Make child job');
    const childCard = (await ops.get(`/jobs/${child.number}`).expect(200)).text;
    expect(childCard).toMatch(new RegExp(`<dt>Parent job</dt><dd><a href="/jobs/${job.number}">${job.number}</a>`));
  });

  it('completes a step from its form: units stepper, CSRF, one-time key, refusals inline', async () => {
    const job = await givenJob(t.db, actor, 'PUMP', 2, { release: true });
    const page = `/jobs/${job.number}`;
    const step1 = `${page}/steps/1`;
    const html = (await ops.get(page).expect(200)).text;
    expect(html).toMatch(new RegExp(`<input name="quantity" id="step-1-qty" value="2"`)); // the units still to do
    const less = await ops.post(step1).type('form').send(await form(ops, page, step1, { do: 'less', quantity: '2' })).expect(200);
    expect(less.text).toMatch(/<input name="quantity" id="step-1-qty" value="1"/);

    const before = await jobsAndLedger(t.db, actor);
    const tooMany = await ops.post(step1).type('form').set('HX-Request', 'true').send(await form(ops, page, step1, { do: 'complete', quantity: '3' })).expect(422);
    expect(tooMany.text).toMatch(/<small class="error" role="alert">Step 1 of J-\d+ has 0 of 2 done; 3 more would make 3, more than the job&#x27;s 2<\/small>/);
    expect(await jobsAndLedger(t.db, actor)).toEqual(before);

    const fields = await form(ops, page, step1, { do: 'complete', quantity: '2', labour_minutes: '15' });
    await ops.post(step1).type('form').send(fields).expect(303);
    await ops.post(step1).type('form').send(fields).expect(303); // a double tap: the same key, recorded once
    const frameLine = await t.db('job_lines as l').join('parts as p', 'p.id', 'l.part_id').where({ 'l.job_id': job.id, 'p.sku': 'FRAME' }).first('l.consumed_qty');
    expect(Number(frameLine.consumed_qty)).toBe(2);
    const card = (await ops.get(page).expect(200)).text;
    expect(card).toMatch(/<span class="job-step-done" data-fig="step-done">2 of 2 done<\/span>/);
    expect(card).toMatch(/<dd data-fig="wip">10.90<\/dd>/);
    expect(card).toMatch(/<a class="rowlink" href="\/events\/[0-9a-f-]{36}">Stock event<\/a>/);
  });

  it('captures component serials by scan at a step, refusing one that is not in stock or is another job\'s', async () => {
    const job = await givenJob(t.db, actor, 'PUMP', 1, { release: true });
    const page = `/jobs/${job.number}`;
    const step2 = `${page}/steps/2`;
    const motor = (await t.db('job_lines as l').join('parts as p', 'p.id', 'l.part_id').where({ 'l.job_id': job.id, 'p.sku': 'MOTOR' }).first('l.id')).id;
    const scan = async (serial: string) => ops.post(step2).type('form').set('HX-Request', 'true').send(await form(ops, page, step2, { quantity: '1', use: { [motor]: { entry: serial, serials: '' } } }));
    const missing = await scan('M404');
    expect(missing.status).toBe(422);
    expect(missing.text).toMatch(/<div class="problem" role="alert">Serial M404 of MOTOR is not in stock<\/div>/);
    const other = await t.db('job_allocations as a').join('job_cards as j', 'j.id', 'a.job_id').whereNot('a.job_id', job.id).whereNotNull('a.serial').where('a.tenant_id', actor.tenantId).first('a.serial', 'j.number');
    const theirs = await scan(other.serial);
    expect(theirs.text).toContain(`Serial ${other.serial} of MOTOR is allocated to job ${other.number}`);
  });

  it('records a step used differently: a motor scrapped, the serials scanned, a bad figure shown at its line', async () => {
    await givenStock(t.db, actor, [['MOTOR', 2, '50.00', ['MX-1', 'MX-2']]]);
    const job = await givenJob(t.db, actor, 'PUMP', 1, { release: true });
    const page = `/jobs/${job.number}`;
    const step2 = `${page}/steps/2`;
    const motor = (await t.db('job_lines as l').join('parts as p', 'p.id', 'l.part_id').where({ 'l.job_id': job.id, 'p.sku': 'MOTOR' }).first('l.id')).id;
    const mine = (await t.db('job_allocations').where({ job_id: job.id, job_line_id: motor }).first('serial')).serial;
    const free = (await t.db('serials as s').join('parts as p', 'p.id', 's.part_id').where({ 's.tenant_id': actor.tenantId, 'p.sku': 'MOTOR', 's.status': 'in_stock' })
      .whereNotExists((q) => q.select(t.db.raw('1')).from('job_allocations as a').whereRaw('a.part_id = s.part_id and a.serial = s.serial')).first('s.serial')).serial;

    const bad = await ops.post(step2).type('form').set('HX-Request', 'true').send(await form(ops, page, step2, { do: 'complete', quantity: '1', use: { [motor]: { scrapped: '-1', serials: '' } } })).expect(422);
    expect(bad.text).toMatch(/<details class="job-used" open>/);
    expect(bad.text).toMatch(new RegExp(`<fieldset class="job-use" id="use-${motor}">[\\s\\S]*?<small class="error" role="alert">must not be negative</small>`));

    const withScan = await ops.post(step2).type('form').set('HX-Request', 'true').send(await form(ops, page, step2, { do: 'add:' + motor, quantity: '1', use: { [motor]: { scrapped: '1', entry: free, serials: mine } } })).expect(200);
    expect(withScan.text).toContain(`name="use[${motor}][serials]" value="${mine} ${free}"`);
    await ops.post(step2).type('form').send(await form(ops, page, step2, { do: 'complete', quantity: '1', use: { [motor]: { scrapped: '1', serials: `${mine} ${free}` } } })).expect(303);
    const line = await t.db('job_lines').where({ id: motor }).first('consumed_qty', 'scrapped_qty');
    expect([Number(line.consumed_qty), Number(line.scrapped_qty)]).toEqual([1, 1]);
    const gone = await t.db('serials as s').join('parts as p', 'p.id', 's.part_id').where({ 's.tenant_id': actor.tenantId, 'p.sku': 'MOTOR' }).whereIn('s.serial', [mine, free]).pluck('s.status');
    expect(gone).toEqual(['out', 'out']);
    expect((await ops.get(page).expect(200)).text).toMatch(/<dd data-fig="scrap">50.00<\/dd>/);
  });

  it('completes the job with a serial scanned for each unit, then dispatches one from the dispatch form', async () => {
    const job = await givenJob(t.db, actor, 'PUMP', 1, { release: true, customer: 'Serial Co', salePrice: dec('300') });
    const page = `/jobs/${job.number}`;
    const done = `${page}/complete`;
    const scanned = await ops.post(done).type('form').set('HX-Request', 'true').send(await form(ops, page, done, { do: 'enter', quantity: '1', serial_entry: 'PX-1', serials: '' })).expect(200);
    expect(scanned.text).toMatch(/<input type="hidden" name="serials" value="PX-1">/);
    expect(scanned.text).toContain('autofocus');
    const dup = await ops.post(done).type('form').set('HX-Request', 'true').send(await form(ops, page, done, { do: 'enter', quantity: '1', serial_entry: 'PX-1', serials: 'PX-1' })).expect(422);
    expect(dup.text).toContain('Serial PX-1 is already in the list for PUMP');
    const completed = await ops.post(done).type('form').set('HX-Request', 'true').send(await form(ops, page, done, { do: 'complete', quantity: '1', serials: 'PX-1' })).expect(200);
    expect(completed.text).toContain(`Job ${job.number} completed: 1 PUMP received into finished goods`);
    expect(completed.text).toContain('href="/trace/serial/PUMP/PX-1"');
    expect(await status(job.number)).toBe('completed');
    expect(await onHand(t.db, actor, 'PUMP')).toBe('1');

    const prefilled = (await ops.get(`/dispatches?job=${job.number}`).expect(200)).text;
    expect(prefilled).toContain('value="Serial Co"');
    expect(prefilled).toContain(`name="lines[0][job]" value="${job.number}"`);
    const refused = await ops.post('/dispatches').type('form').send(await form(ops, '/dispatches', '/dispatches', { customer: 'Serial Co', ...row(0, { part: 'PUMP', serials: 'NOPE-1', job: job.number }) })).expect(422);
    expect(refused.text).toMatch(/<td class="has-error">\s*<textarea name="lines\[0\]\[serials\]"/);
    const sent = await ops.post('/dispatches').type('form').send(await form(ops, '/dispatches', '/dispatches', { customer: 'Serial Co', reference: 'SO-9', ...row(0, { part: 'PUMP', serials: 'PX-1\n', unit_price: '300' }) })).expect(303);
    const show = (await ops.get(sent.headers.location).expect(200)).text;
    expect(show).toContain('Serial Co');
    expect(show).toContain('href="/trace/serial/PUMP/PX-1"');
    expect(show).toContain(`href="/jobs/${job.number}"`);
    expect(await onHand(t.db, actor, 'PUMP')).toBe('0');
    const card = (await ops.get(page).expect(200)).text;
    expect(card).toMatch(/<tr data-margin="actual"><td>Actual \(as dispatched\)<\/td><td class="num">300.00<\/td>/);
    expect((await book.get('/dispatches').expect(200)).text).not.toContain('Dispatch goods</h2>');
  });
});
