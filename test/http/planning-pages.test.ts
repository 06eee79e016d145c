import request from 'supertest';
import { Express } from 'express';
import { signUp, signIn, Agent } from './support/session';
import { openTestDb, TestDb } from '../support/db';
import { testApp } from '../support/app';
import { addUser } from '../../server/services/auth/accounts';
import { Actor } from '../../server/services/stock/types';
import { givenGearboxWorks, givenStock, givenJob, givenPo, childFor, givenPumpLine, givenAssembler, givenPumpBuilt, givenDispatched } from '../integration/planning/helpers';

let t: TestDb;
let app: Express;
let agent: Agent;
let actor: Actor;
let top: string;
let housing: string;
let poId: string;
let jobs: { pump: string; rotor: string };
let dispatch: string;
beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
  ({ agent, actor } = await signUp(app, t.db, { organisation: 'Pump Works', name: 'Ada Admin', email: 'ada@pumps.example' }));
  await givenGearboxWorks(t.db, actor);
  await givenStock(t.db, actor, [['BOLT', 10, '1'], ['NUT', 10, '1'], ['WIRE', 10, '1']]);
  top = (await givenJob(t.db, actor, 'GEARBOX', 2, { release: true, customer: 'Mill Ltd' })).number;
  housing = (await childFor(t.db, actor, top, 'HOUSING')).number;
  poId = (await givenPo(t.db, actor, 'PO-7', '2026-12-04', [['MAGNET', 5]])).id;
  await givenPumpLine(t.db, actor);
  jobs = await givenPumpBuilt(t.db, actor, await givenAssembler(t.db, actor, 'sam@pumps.example'));
  dispatch = (await givenDispatched(t.db, actor, 'Hydro Ltd', 'PUMP', ['P-1'])).number;
}, 90_000); // sign-up hashes a password and PGlite starts cold: slow on a loaded 2-core machine
afterAll(async () => { await t.close(); });

describe('the shortages page', () => {
  it('lists each short part with the jobs it blocks, their top-level job, the covering PO, and each held-up top job', async () => {
    const page = (await agent.get('/shortages').expect(200)).text;
    const row = /<tr id="part-MAGNET">[\s\S]*?<\/tr>/.exec(page)![0];
    expect(row).toContain(`<a href="/jobs/${housing}">${housing}</a> · top <a href="/jobs/${top}">${top}</a> · due 2026-12-10 · short 2`);
    expect(row).toContain(`<a href="/purchase-orders/${poId}">PO-7</a>`);
    expect(row).toMatch(/<strong>2<\/strong>/);
    const summary = /<tr id="top-[^"]+">[\s\S]*?<\/tr>/.exec(page.slice(page.indexOf('Top-level jobs held up')))![0];
    expect(summary).toContain(`<a href="/jobs/${top}"><strong>${top}</strong></a>`);
    expect(summary).toContain('Mill Ltd');
    expect(summary).toContain(`<a href="#part-MAGNET">MAGNET</a> short 2 · on <a href="/jobs/${housing}">${housing}</a>`);
    expect(page).toContain('Sub-assemblies to make');
    expect(page).toMatch(/<a href="\/shortages" aria-current="page">Shortages<\/a>/);
    expect(page).toContain('<a href="/trace" >Trace</a>');
  });

  it('is open to every signed-in role, and to nobody signed out', async () => {
    await addUser(t.db, actor.tenantId, { email: 'bob@pumps.example', name: 'Bob Books', role: 'bookkeeper', password: 'correct horse battery' });
    const bob = await signIn(app, 'bob@pumps.example', 'correct horse battery');
    expect((await bob.get('/shortages').expect(200)).text).toContain('MAGNET');
    expect((await bob.get('/trace/serial/PUMP/P-1').expect(200)).text).toContain('Hydro Ltd');
    const out = await request(app).get('/shortages').expect(302);
    expect(out.headers.location).toBe('/login?next=%2Fshortages');
  });
});

describe('the trace pages', () => {
  it('goes from a scanned serial to its as-built record, and from a scanned lot to its recall', async () => {
    expect((await agent.get('/trace').expect(200)).text).toContain('name="code"');
    expect((await agent.get('/trace?code=P-1').expect(303)).headers.location).toBe('/trace/serial/PUMP/P-1');
    expect((await agent.get('/trace?code=M1&report=recall').expect(303)).headers.location).toBe('/trace/recall/MOTOR?serial=M1');
    expect((await agent.get('/trace?code=L-100&part=SEAL&report=as_built').expect(303)).headers.location).toBe('/trace/recall/SEAL?lot=L-100');
    expect((await agent.get('/trace?code=NOTHING-HERE').expect(404)).text).toContain('Nothing has serial or lot NOTHING-HERE');
    expect((await agent.get('/trace?code=P-1&part=NOPE').expect(404)).text).toContain('Part NOPE was not found');
  });

  it('shows the as-built tree: both levels, their serials and lots, who and when, and the customer', async () => {
    const page = (await agent.get('/trace/serial/PUMP/P-1').expect(200)).text;
    expect(page).toContain(`Dispatched on 2026-11-25 to <strong class="customer">Hydro Ltd</strong> on <a href="/dispatches/${dispatch}">${dispatch}</a>`);
    expect(page).toContain(`Job <a href="/jobs/${jobs.pump}">${jobs.pump}</a> · PUMP`);
    expect(page).toContain(`Job <a href="/jobs/${jobs.rotor}">${jobs.rotor}</a> · ROTOR-ASSY`);
    // The rotor's card sits inside the pump's components table.
    expect(page.indexOf(jobs.rotor)).toBeGreaterThan(page.indexOf('<a href="/trace/serial/ROTOR-ASSY/R-1">R-1</a>'));
    expect(page).toContain('<a href="/trace/serial/MOTOR/M1">M1</a>');
    expect(page).toContain('<a href="/trace/recall/SEAL?lot=L-100">L-100</a>');
    expect(page).toMatch(/Step 1<\/td>\s*<td class="num">1<\/td><td>sam@pumps\.example<\/td><td>2026-11-25/);
    expect(page).toMatch(/Completed <span class="tag">P-1<\/span><\/td>\s*<td class="num">1<\/td><td>ada@pumps\.example<\/td>/);
    const missing = await agent.get('/trace/serial/PUMP/P-404').expect(404);
    expect(missing.text).toContain('Serial P-404 of PUMP was not found');
  });

  it('shows a recall report and downloads it as CSV', async () => {
    const page = (await agent.get('/trace/recall/SEAL?lot=L-100').expect(200)).text;
    expect(page).toContain('<li><strong>Hydro Ltd</strong></li>');
    expect(page).toContain('<a href="/trace/serial/PUMP/P-1">P-1</a>');
    expect(page).toContain(`built into <a href="/jobs/${jobs.pump}">${jobs.pump}</a>`);
    expect(page).toContain('href="/trace/recall/SEAL.csv?lot=L-100"');
    const csv = await agent.get('/trace/recall/SEAL.csv?lot=L-100').expect(200);
    expect(csv.type).toBe('text/csv');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="?recall-SEAL-L-100\.csv"?$/);
    expect(csv.text.trim().split('\n')).toEqual([
      'level,job,part,name,serial,lot,quantity,in_stock,consumed_into,dispatch,customer,dispatched_on',
      `1,${jobs.rotor},ROTOR-ASSY,Part ROTOR-ASSY,R-1,,1,0,${jobs.pump},,,`,
      `2,${jobs.pump},PUMP,Part PUMP,P-1,,1,0,,${dispatch},Hydro Ltd,2026-11-25`,
    ]);
    expect((await agent.get('/trace/recall/SEAL?lot=L-100&serial=M1').expect(422)).text).toContain('give either a lot or a serial');
  });
});
