import request from 'supertest';
import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { testApp, givenApiClient } from '../support/app';
import { createApiKey, revokeApiKey } from '../../server/services/auth/accounts';
import { rowCounts } from './support/counts';


let t: TestDb;
let app: Express;
let a: Awaited<ReturnType<typeof givenApiClient>>;
let b: Awaited<ReturnType<typeof givenApiClient>>;
let bEvent: { id: string; journal: { id: string } };
beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
  a = await givenApiClient(t.db, app);
  b = await givenApiClient(t.db, app);
  await b.post('/api/v1/parts', { sku: 'B-ONLY', name: 'Org B part' }).expect(201);
  bEvent = (await b.post('/api/v1/stock/receipts', { occurred_on: '2026-11-02', lines: [{ part: 'B-ONLY', location: 'MAIN', quantity: '3', unit_cost: '4' }] }).expect(201)).body;
});
afterAll(async () => { await t.close(); });

describe("one organisation's key on another's data", () => {
  it.each([
    ['an event', () => `/api/v1/events/${bEvent.id}`],
    ['a journal', () => `/api/v1/journals/${bEvent.journal.id}`],
    ['a part', () => '/api/v1/parts/B-ONLY'],
  ])('cannot read %s: 404', async (_what, url) => {
    const res = await a.get(url()).expect(404);
    expect(res.body.error.code).toBe('not_found');
    await b.get(url()).expect(200);
  });

  it("cannot reverse the other organisation's event (404) or issue its part (unknown, as if it did not exist), and writes nothing", async () => {
    const before = await rowCounts(t.db);
    await a.post(`/api/v1/events/${bEvent.id}/reversal`, {}).expect(404);
    const issue = await a.post('/api/v1/stock/issues', { lines: [{ part: 'B-ONLY', location: 'MAIN', quantity: '1' }] }).expect(422);
    expect(issue.body.error.fields).toEqual([{ field: 'lines.0.part', message: 'Unknown part B-ONLY' }]);
    expect(await rowCounts(t.db)).toEqual(before);
    expect((await b.get('/api/v1/parts/B-ONLY')).body.figures.on_hand).toBe('3');
  });

  it("does not list the other organisation's parts, journals or value", async () => {
    expect((await a.get('/api/v1/parts').expect(200)).body.parts).toEqual([]);
    expect((await a.get('/api/v1/journals').expect(200)).body.journals).toEqual([]);
    expect((await a.get('/api/v1/valuation').expect(200)).body.total).toBe('0.00');
  });

  it('may use the same SKU as the other organisation', async () => {
    await a.post('/api/v1/parts', { sku: 'B-ONLY', name: 'Org A part' }).expect(201);
    expect((await b.get('/api/v1/parts/B-ONLY')).body.part.name).toBe('Org B part');
  });

  it('answers 404 to an id that is not a UUID', async () => {
    await a.get('/api/v1/events/not-a-uuid').expect(404);
    await a.get('/api/v1/journals/1').expect(404);
  });
});

describe('API keys', () => {
  const get = (authorization?: string) => {
    const req = request(app).get('/api/v1/parts');
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  it.each([
    ['no Authorization header', undefined],
    ['a Basic credential', 'Basic dXNlcjpwYXNz'],
    ['a malformed key', 'Bearer not-a-key'],
    ['a key with an unknown prefix', 'Bearer pk_0123456789ab_abcdefghijklmnop'],
  ])('refuses %s with 401', async (_what, authorization) => {
    const res = await get(authorization).expect(401);
    expect(res.body.error).toMatchObject({ code: 'unauthorised', message: expect.any(String), fields: [] });
  });

  it('refuses a real prefix with the wrong secret with 401', async () => {
    const prefix = a.key.split('_')[1];
    await get(`Bearer pk_${prefix}_wrongsecretwrongsecret`).expect(401);
  });

  it('refuses a revoked key with 401', async () => {
    const { id, key } = await createApiKey(t.db, a.actor.tenantId, null, 'to revoke', 'admin');
    await get(`Bearer ${key}`).expect(200);
    await revokeApiKey(t.db, a.actor.tenantId, id);
    await get(`Bearer ${key}`).expect(401);
  });

  it('refuses a stock POST without a key with 401 and writes nothing', async () => {
    const before = await rowCounts(t.db);
    await request(app).post('/api/v1/stock/receipts').send({ lines: [{ part: 'B-ONLY', location: 'MAIN', quantity: '1', unit_cost: '1' }] }).expect(401);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('answers JSON 404 to an unknown API path, after authenticating', async () => {
    await request(app).get('/api/v1/nothing-here').expect(401);
    const res = await a.get('/api/v1/nothing-here').expect(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
