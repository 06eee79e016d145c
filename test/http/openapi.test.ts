import request, { Response } from 'supertest';
import { Router } from 'express';
import { testApp, givenApiClient } from '../support/app';
import { servedRoutes, documentedRoutes } from './support/routes';
import { documentedApi } from './support/documented-api';

const t = documentedApi({ anonymous: true });
const { expectDocumented } = t;

describe('the OpenAPI document', () => {
  it('is served at /api/v1/openapi.json without an API key', async () => {
    expect(t.doc.openapi).toBe('3.0.3');
    expect(t.doc.servers).toEqual([{ url: 'http://localhost:3000/api/v1' }]);
    expect(t.doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(t.doc.paths['/openapi.json'].get.security).toEqual([]);
  });

  it('describes exactly the routes the router serves under /api/v1', () => {
    const served = servedRoutes(t.app, '/api/v1');
    expect(served.length).toBeGreaterThan(15);
    expect(documentedRoutes(t.doc)).toEqual(served);
  });

  it('would notice a route added under /api/v1 without documentation', () => {
    const other = testApp(t.db);
    other.use('/api/v1', Router().get('/undocumented/:id', (_req, res) => res.end()));
    expect(servedRoutes(other, '/api/v1')).toContain('GET /undocumented/{id}');
    expect(documentedRoutes(t.doc)).not.toContain('GET /undocumented/{id}');
  });

  it('resolves every $ref it contains', () => {
    const refs = JSON.stringify(t.doc).match(/"\$ref":"[^"]+"/g) ?? [];
    const missing = refs.map((r) => r.slice(8, -1)).filter((r) => {
      const [, , kind, name] = r.split('/');
      return !t.doc.components[kind]?.[name];
    });
    expect(refs.length).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  it('declares a path parameter for every {placeholder} in a path', () => {
    const param = (p: { $ref?: string; name?: string; in?: string }) => (p.$ref ? t.doc.components.parameters[p.$ref.split('/').pop()!] : p);
    for (const [path, item] of Object.entries(t.doc.paths)) {
      const placeholders = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(item) as { parameters?: { $ref?: string }[] }[]) {
        const declared = (op.parameters ?? []).map(param).filter((p) => p.in === 'path').map((p) => p.name);
        expect({ path, declared }).toEqual({ path, declared: placeholders });
      }
    }
  });

  it('gives every stock-changing POST the Idempotency-Key header and the Idempotent-Replayed response header', () => {
    const stockPosts = Object.entries(t.doc.paths).filter(([p, item]) => item.post && (p.startsWith('/stock/') || p.endsWith('/reversal')));
    expect(stockPosts.map(([p]) => p).sort()).toEqual(['/events/{id}/reversal', '/stock/adjustments', '/stock/issues', '/stock/opening-balances', '/stock/receipts', '/stock/transfers']);
    for (const [, item] of stockPosts) {
      expect(item.post.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
      expect(item.post.responses['201'].headers['Idempotent-Replayed']).toBeDefined();
      expect(Object.keys(item.post.responses)).toEqual(expect.arrayContaining(['201', '401', '403', '404', '409', '422']));
    }
  });

  it('documents decimal inputs as patterned strings that also accept JSON numbers', () => {
    const line = t.doc.components.schemas.InboundCommand.properties.lines.items;
    expect(line.required).toEqual(['part', 'location', 'quantity', 'unit_cost']);
    for (const field of ['quantity', 'unit_cost']) {
      expect(line.properties[field]).toMatchObject({ type: 'string', pattern: expect.any(String), description: expect.stringContaining('JSON number is also accepted') });
    }
    expect(new RegExp(line.properties.quantity.pattern).test('12.123456')).toBe(true);
    expect(new RegExp(line.properties.quantity.pattern).test('12.1234567')).toBe(false);
  });
});

describe('real responses match the documented schemas', () => {
  it('for parts, locations and every kind of stock event', async () => {
    const c = await givenApiClient(t.db, t.app);
    const created = await c.post('/api/v1/parts', { sku: 'DOC-1', name: 'Documented part', reorder_point: '5' }).expect(201);
    expectDocumented(created, 'post', '/parts');
    expectDocumented(await c.post('/api/v1/locations', { code: 'C', name: 'Bay C', warehouse: 'Main' }).expect(201), 'post', '/locations');
    expectDocumented(await c.get('/api/v1/locations').expect(200), 'get', '/locations');

    const line = { part: 'DOC-1', location: 'MAIN' };
    const posts: [string, object][] = [
      ['/stock/opening-balances', { occurred_on: '2026-11-01', lines: [{ ...line, quantity: '10', unit_cost: '2.50' }] }],
      ['/stock/receipts', { occurred_on: '2026-11-02', reference: 'PO-1', lines: [{ ...line, quantity: 4, unit_cost: 3 }] }],
      ['/stock/issues', { occurred_on: '2026-11-03', expense_account: 'scrap', lines: [{ ...line, quantity: '12' }] }],
      ['/stock/adjustments', { occurred_on: '2026-11-04', lines: [{ ...line, quantity: '-1' }] }],
      ['/stock/transfers', { occurred_on: '2026-11-05', lines: [{ part: 'DOC-1', from: 'MAIN', to: 'B', quantity: '1' }] }],
    ];
    const events: Response[] = [];
    for (const [path, body] of posts) {
      const res = await c.post(`/api/v1${path}`, body, { 'Idempotency-Key': `t.doc-${path}` }).expect(201);
      expectDocumented(res, 'post', path);
      events.push(res);
    }
    const reversal = await c.post(`/api/v1/events/${events[2].body.id}/reversal`, { occurred_on: '2026-11-06' }).expect(201);
    expectDocumented(reversal, 'post', '/events/{id}/reversal');
    expectDocumented(await c.get(`/api/v1/events/${events[2].body.id}`).expect(200), 'get', '/events/{id}');
    expectDocumented(await c.get('/api/v1/parts/DOC-1').expect(200), 'get', '/parts/{sku}');
    expectDocumented(await c.get('/api/v1/parts?below_reorder=true').expect(200), 'get', '/parts');
  });

  it('for journals, valuation, reconciliation, settings and the CSV import', async () => {
    const c = await givenApiClient(t.db, t.app);
    const imported = await request(t.app).post('/api/v1/parts/import?occurred_on=2026-11-01').set('Authorization', `Bearer ${c.key}`).type('text/csv')
      .send('sku,name,location,quantity,unit_cost\nIMP-1,Imported,MAIN,3,1.25\n').expect(201);
    expectDocumented(imported, 'post', '/parts/import');
    const journals = await c.get('/api/v1/journals').expect(200);
    expectDocumented(journals, 'get', '/journals');
    expectDocumented(await c.get(`/api/v1/journals/${journals.body.journals[0].id}`).expect(200), 'get', '/journals/{id}');
    expectDocumented(await c.get('/api/v1/valuation').expect(200), 'get', '/valuation');
    expectDocumented(await c.get('/api/v1/valuation?as_at=2026-11-01').expect(200), 'get', '/valuation');
    expectDocumented(await c.get('/api/v1/reconciliation').expect(200), 'get', '/reconciliation');
    expectDocumented(await c.patch('/api/v1/settings', { lock_date: '2026-10-31', accounts: { cogs: { code: '5000', name: 'COGS' } } }).expect(200), 'patch', '/settings');
    expectDocumented(await c.get('/api/v1/settings').expect(200), 'get', '/settings');
    const csv = await c.get('/api/v1/journals.csv').expect(200);
    expect(csv.type).toBe('text/csv');
  });

  it('for errors: 400, 401, 403, 404, 409, 413 and 422', async () => {
    const admin = await givenApiClient(t.db, t.app);
    const bookkeeper = await givenApiClient(t.db, t.app, 'bookkeeper');
    await admin.post('/api/v1/parts', { sku: 'E-1', name: 'Part' }).expect(201);
    const json = (path: string, raw: string) => request(t.app).post(`/api/v1${path}`).set('Authorization', `Bearer ${admin.key}`).type('json').send(raw);
    const cases: [Promise<Response>, number, string, string][] = [
      [json('/stock/receipts', '{"lines": ['), 400, 'post', '/stock/receipts'],
      [request(t.app).get('/api/v1/parts'), 401, 'get', '/parts'],
      [bookkeeper.post('/api/v1/stock/receipts', {}), 403, 'post', '/stock/receipts'],
      [admin.get('/api/v1/events/00000000-0000-4000-8000-000000000000'), 404, 'get', '/events/{id}'],
      [admin.post('/api/v1/parts', { sku: 'E-1', name: 'Again' }), 409, 'post', '/parts'],
      [json('/parts', JSON.stringify({ sku: 'BIG', name: 'x'.repeat(1_100_000) })), 413, 'post', '/parts'],
      [admin.post('/api/v1/stock/receipts', { lines: [{ part: 'E-1', location: 'MAIN', quantity: 'ten', unit_cost: '1' }] }), 422, 'post', '/stock/receipts'],
      [admin.get('/api/v1/valuation?as_at=yesterday'), 422, 'get', '/valuation'],
    ];
    for (const [pending, status, method, path] of cases) {
      const res = await pending;
      expect({ path, status: res.status }).toEqual({ path, status });
      expectDocumented(res, method, path);
    }
  });
});
