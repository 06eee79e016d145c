import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { testApp, givenApiClient } from '../support/app';

let t: TestDb;
let app: Express;
beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
});
afterAll(async () => { await t.close(); });

describe('GET /api/v1/parts (the stock list)', () => {
  it('pages through the parts with limit and offset and says how many match in all', async () => {
    const c = await givenApiClient(t.db, app);
    for (const sku of ['A-1', 'A-2', 'A-3']) await c.post('/api/v1/parts', { sku, name: `Part ${sku}` }).expect(201);
    const first = await c.get('/api/v1/parts?limit=2').expect(200);
    expect([first.body.parts.map((p: { sku: string }) => p.sku), first.body.total, first.body.limit, first.body.offset]).toEqual([['A-1', 'A-2'], 3, 2, 0]);
    const second = await c.get('/api/v1/parts?limit=2&offset=2').expect(200);
    expect([second.body.parts.map((p: { sku: string }) => p.sku), second.body.total]).toEqual([['A-3'], 3]);
    const beyond = await c.get('/api/v1/parts?limit=2&offset=10').expect(200);
    expect([beyond.body.parts, beyond.body.total]).toEqual([[], 3]);
  });

  it('searches SKUs literally: an underscore or percent sign is not a wildcard', async () => {
    const c = await givenApiClient(t.db, app);
    await c.post('/api/v1/parts', { sku: 'BRG_1', name: 'Underscore bearing' }).expect(201);
    await c.post('/api/v1/parts', { sku: 'BRGX1', name: 'Other bearing' }).expect(201);
    const res = await c.get('/api/v1/parts?q=BRG_').expect(200);
    expect(res.body.parts.map((p: { sku: string }) => p.sku)).toEqual(['BRG_1']);
    expect((await c.get('/api/v1/parts?q=%25').expect(200)).body.parts).toEqual([]);
  });
});
