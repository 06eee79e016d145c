import request from 'supertest';
import { csrfOf } from './support/session';
import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { testApp } from '../support/app';
import { rowCounts } from './support/counts';


let t: TestDb;
let app: Express;
let agent: ReturnType<typeof request.agent>;
beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
  agent = request.agent(app);
});
afterAll(async () => { await t.close(); });


async function freshToken(): Promise<string> {
  return csrfOf((await agent.get('/stock').expect(200)).text);
}

const OPENING = { part: 'BRG-6204', location: 'MAIN', unit_cost: '2.50', occurred_on: '2026-11-01', reference: 'Count 1' };

describe('the pages, signed in through the sign-up form', () => {
  it('signs up through POST /setup with the CSRF token from the form, and lands on /stock', async () => {
    const setup = await agent.get('/setup').expect(200);
    // No Xero app configured here: no button that could only fail.
    expect(setup.text).not.toContain('Sign up with Xero');
    const res = await agent.post('/setup').type('form')
      .send({ organisation: 'Pages Ltd', name: 'Pat Page', email: 'pat@example.com', password: 'correct horse battery', _csrf: csrfOf(setup.text) })
      .expect(303);
    expect(res.headers.location).toBe('/stock');
    const stock = await agent.get('/stock').expect(200);
    expect(stock.text).toContain('<html');
  });

  it('creates a part from the form and redirects to it', async () => {
    const res = await agent.post('/parts').type('form').send({ sku: 'BRG-6204', name: 'Bearing 6204', _csrf: await freshToken() }).expect(303);
    expect(res.headers.location).toBe('/parts/BRG-6204');
    expect((await agent.get('/parts/BRG-6204').expect(200)).text).toContain('Bearing 6204');
  });

  it('shows a bad quantity inline with 422 and writes nothing', async () => {
    const before = await rowCounts(t.db);
    const res = await agent.post('/stock/opening').type('form').send({ ...OPENING, quantity: 'ten', _csrf: await freshToken() }).expect(422);
    expect(res.type).toBe('text/html');
    expect(res.text).toMatch(/<small class="error"[^>]*>[^<]*must be a number \(got &quot;ten&quot;\)/);
    expect(res.text).toContain('value="BRG-6204"'); // the form keeps what was typed
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('records good opening stock, redirects to the event, and the event page shows its journal', async () => {
    const res = await agent.post('/stock/opening').type('form').send({ ...OPENING, quantity: '10', _csrf: await freshToken() }).expect(303);
    expect(res.headers.location).toMatch(/^\/events\/[0-9a-f-]{36}$/);
    const page = (await agent.get(res.headers.location).expect(200)).text;
    expect(page).toContain('Count 1');
    expect(page).toMatch(/<td>630 Raw Materials Stock<\/td><td class="num">25\.00<\/td><td class="num"><\/td>/);
    expect(page).toMatch(/<td>840 Historical Adjustment<\/td><td class="num"><\/td><td class="num">25\.00<\/td>/);
    expect(page).toContain('<span class="status status-pending">pending</span>'); // no worker runs in these tests
  });

  it('adds a location from the settings page, and shows a clash inline without writing', async () => {
    const settings = (await agent.get('/settings').expect(200)).text;
    const res = await agent.post('/settings/locations').type('form').send({ code: 'BAY-2', name: 'Assembly bay 2', warehouse: 'Main', bin: '', _csrf: csrfOf(settings) }).expect(303);
    expect(res.headers.location).toBe('/settings#locations');
    const row = await t.db('locations').where({ code: 'BAY-2' }).first();
    expect([row.name, row.warehouse, row.bin]).toEqual(['Assembly bay 2', 'Main', null]);
    const before = await rowCounts(t.db);
    const clash = await agent.post('/settings/locations').type('form').send({ code: 'BAY-2', name: 'Again', warehouse: 'Main', _csrf: await freshToken() }).expect(409);
    expect(clash.text).toMatch(/<small class="error"[^>]*>A location with code BAY-2 already exists/);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('records a double-tapped form once: both submissions land on the same event', async () => {
    const form = (await agent.get('/stock/receive').expect(200)).text;
    const key = /name="idempotency_key" value="([^"]+)"/.exec(form)![1];
    const body = { part: 'BRG-6204', location: 'MAIN', quantity: '2', unit_cost: '3.00', occurred_on: '2026-11-02', _csrf: csrfOf(form), idempotency_key: key };
    const before = await t.db('stock_events').count<{ n: number }[]>('* as n');
    const [one, two] = await Promise.all([agent.post('/stock/receive').type('form').send(body), agent.post('/stock/receive').type('form').send(body)]);
    expect([one.status, two.status]).toEqual([303, 303]);
    expect(two.headers.location).toBe(one.headers.location);
    const after = await t.db('stock_events').count<{ n: number }[]>('* as n');
    expect(Number(after[0].n) - Number(before[0].n)).toBe(1);
  });

  it('closes /setup once the organisation exists (new people are invited from Settings)', async () => {
    const res = await request(app).get('/setup').expect(403);
    expect(res.text).toContain('This Perpetua already has its organisation');
  });

  it('refuses a POST without the CSRF token with 403 and writes nothing', async () => {
    const before = await rowCounts(t.db);
    await agent.post('/parts').type('form').send({ sku: 'NO-TOKEN', name: 'No token' }).expect(403);
    await agent.post('/stock/opening').type('form').send({ ...OPENING, quantity: '1', _csrf: 'forged' }).expect(403);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('answers an htmx search with only the table rows and the pager (out of band), and says so in Vary', async () => {
    const res = await agent.get('/stock?q=BRG').set('HX-Request', 'true').expect(200);
    expect(res.text).not.toMatch(/<html|<body|<header/);
    expect(res.text.trim()).toMatch(/^<tr>/);
    expect(res.text).toMatch(/<nav class="pager" id="stock-pager" aria-label="Pages" hx-swap-oob="true">\s*<span class="muted">Parts 1–1 of 1<\/span>/);
    expect(res.text).toContain('BRG-6204');
    expect(res.headers.vary).toMatch(/HX-Request/i);
    const none = await agent.get('/stock?q=NOTHING').set('HX-Request', 'true').expect(200);
    expect(none.text).toContain('No parts match.');
  });

  it('answers the same URL without HX-Request with the full page, also with Vary', async () => {
    const res = await agent.get('/stock?q=BRG').expect(200);
    expect(res.text).toContain('<html');
    expect(res.headers.vary).toMatch(/HX-Request/i);
  });
});
