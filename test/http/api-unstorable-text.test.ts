import request from 'supertest';
import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { testApp, givenApiClient } from '../support/app';
import { rowCounts } from './support/counts';
import { signIn, csrfOf, Agent } from './support/session';

// Text PostgreSQL cannot store (a NUL, half a surrogate pair) is refused with a 4xx naming the
// field, in every string field, path value and query value of every operation the served OpenAPI
// document lists, and in the pages' forms; nothing is written. Before the text primitive these
// reached the database and failed there with a 500.

type Schema = Record<string, any>;
type Doc = { paths: Record<string, Record<string, Schema>>; components: Record<string, Record<string, Schema>> };

let t: TestDb;
let app: Express;
let c: Awaited<ReturnType<typeof givenApiClient>>;
let doc: Doc;
beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
  c = await givenApiClient(t.db, app);
  doc = (await c.get('/api/v1/openapi.json').expect(200)).body;
});
afterAll(async () => { await t.close(); });

const NUL = { name: 'a NUL', value: 'A\u0000B', encoded: 'A%00B', reason: /contains a NUL character/ };
const HALF = { name: 'half a surrogate pair', value: 'A\ud800B', encoded: 'A%ED%A0%80B', reason: /half of a UTF-16 surrogate pair|not valid UTF-8/ };
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const resolve = (s: Schema): Schema => (s?.$ref ? resolve(String(s.$ref).slice(2).split('/').reduce<any>((n, k) => n[k], doc)) : s);

function operations(): { method: string; path: string; op: Schema }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] })));
}

/** Every string property of a JSON body, as [field path as the API names it, body holding `bad` there, plain text?]. */
function stringFields(schema: Schema, bad: string, at: string[] = []): [string, unknown, boolean][] {
  const s = resolve(schema);
  if (s.allOf) return s.allOf.flatMap((m: Schema) => stringFields(m, bad, at));
  if (s.type === 'array' && s.items) return stringFields(s.items, bad, [...at, '0']);
  if (s.type === 'string' || (!s.type && !s.properties)) {
    const plain = !s.enum && !s.pattern && !s.format;
    return at.length ? [[at.join('.'), nest(at, bad), plain]] : [];
  }
  return Object.entries(s.properties ?? {}).flatMap(([k, v]) => stringFields(v as Schema, bad, [...at, k]));
}

function nest(at: string[], bad: string): unknown {
  return at.reduceRight<unknown>((inner, k) => (k === '0' ? [inner] : { [k]: inner }), bad);
}

/** Well-formed path values (an id that exists nowhere), so each body is read and checked. */
const WELL_FORMED: Record<string, string> = { id: '00000000-0000-4000-8000-000000000000', step: '10' };
const url = (path: string, params: Record<string, string> = {}) => `/api/v1${path.replace(/\{(\w+)\}/g, (_m, p) => params[p] ?? WELL_FORMED[p] ?? 'X1')}`;
const send = (method: string, u: string, body?: unknown) => {
  const r = (request(app) as any)[method](u).set('Authorization', `Bearer ${c.key}`);
  return body === undefined ? r : r.send(body);
};

/** A 4xx whose fields name `field` (with the primitive's reason where given); the response otherwise. */
function problemWith(res: request.Response, field: string, reason: RegExp | null): string | null {
  const named = (res.body.error?.fields ?? []).find((f: { field: string }) => f.field === field);
  const ok = res.status >= 400 && res.status < 500 && named && (!reason || reason.test(named.message));
  return ok ? null : `${res.status} ${JSON.stringify(res.body)}`;
}

describe.each([NUL, HALF])('$name', (bad) => {
  it('is refused in every string field of every JSON body, naming the field, and nothing is written', async () => {
    const cases = operations().flatMap(({ method, path, op }) => {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      return schema ? stringFields(schema, bad.value).map(([field, body, plain]) => ({ method, path, field, body, plain })) : [];
    });
    expect(cases.length).toBeGreaterThan(80);
    const before = await rowCounts(t.db);
    const unnamed: string[] = [];
    for (const k of cases) {
      const problem = problemWith(await send(k.method, url(k.path), k.body), k.field, k.plain ? bad.reason : null);
      if (problem) unnamed.push(`${k.method.toUpperCase()} ${k.path} ${k.field}: ${problem}`);
    }
    expect(unnamed).toEqual([]);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  // Half a surrogate pair has no UTF-8 form, so in a URL it is bytes that are not UTF-8: in a path
  // value it is refused; a query string reads such bytes as U+FFFD, which is stored as it is.
  it('is refused in every path value (and a NUL in every query value), naming the parameter', async () => {
    const cases = operations().flatMap(({ method, path, op }) => [
      ...[...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ method, u: url(path, { [m[1]]: bad.encoded }), field: m[1] })),
      ...(bad === NUL ? (op.parameters ?? []).map(resolve).filter((p: Schema) => p.in === 'query') : [])
        .map((p: Schema) => ({ method, u: `${url(path)}?${p.name}=${bad.encoded}`, field: p.name })),
    ]);
    expect(cases.length).toBeGreaterThan(bad === NUL ? 50 : 25);
    const before = await rowCounts(t.db);
    const unnamed: string[] = [];
    for (const k of cases) {
      const problem = problemWith(await send(k.method, k.u, k.method === 'get' ? undefined : {}), k.field, bad.reason);
      if (problem) unnamed.push(`${k.method.toUpperCase()} ${k.u}: ${problem}`);
    }
    expect(unnamed).toEqual([]);
    expect(await rowCounts(t.db)).toEqual(before);
  });
});

describe('forms', () => {
  let agent: Agent;
  beforeAll(async () => {
    const { email } = await t.db('users').where({ tenant_id: c.actor.tenantId }).first('email');
    agent = await signIn(app, email, 'correct horse battery');
  }, 60_000);

  it.each([
    ['/stock/receipts', 'reference'],
    ['/parts', 'name'],
    ['/settings/locations', 'warehouse'],
    ['/purchase-orders/new', 'supplier'],
    ['/dispatches', 'customer'],
    ['/jobs', 'customer'],
    ['/login', 'email'],
  ])('POST %s with a NUL in %s answers 422 naming the field, and writes nothing', async (path, field) => {
    const csrf = csrfOf((await agent.get('/settings').expect(200)).text);
    const before = await rowCounts(t.db);
    const res = await agent.post(path).type('form').send(`_csrf=${encodeURIComponent(csrf)}&${field}=A%00B`);
    expect(res.status).toBe(422);
    expect(res.text).toContain(`${field}: contains a NUL character`);
    expect(await rowCounts(t.db)).toEqual(before);
  });
});

describe('JSON nested too deeply', () => {
  it('is refused with 400 before the Idempotency-Key hashes it, and nothing is written', async () => {
    const before = await rowCounts(t.db);
    const deep = `{"lines":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const res = await request(app).post('/api/v1/stock/receipts').set('Authorization', `Bearer ${c.key}`).set('Idempotency-Key', 'deep-1').type('json').send(deep);
    expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: { code: 'too_deep', message: 'The request body is nested too deeply (at most 32 levels of arrays and objects)', fields: [] } });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('still reads brackets inside strings as text', async () => {
    const res = await c.post('/api/v1/stock/receipts', { reference: '['.repeat(100), lines: [] }, { 'Idempotency-Key': 'deep-2' });
    expect({ status: res.status, fields: res.body.error.fields }).toEqual({ status: 422, fields: [{ field: 'lines', message: 'give at least one line' }] });
  });
});

describe('CSV imports', () => {
  it.each([
    ['/api/v1/parts/import', 'sku,name\nNUL-1,Bad\u0000name\n', 'Row 2 · name'],
    ['/api/v1/boms/import', 'parent_sku,component_sku,quantity,note\nASM-1,C-1,1,R1\u0000R2\n', 'Row 2 · note'],
    ['/api/v1/purchase-orders/import', 'po_number,supplier,sku,quantity,unit_price\nPO-NUL,Acme\u0000,P-1,1,1\n', 'Row 2 · supplier'],
  ])('%s refuses a NUL in a cell with 422 naming its row and column, and writes nothing', async (path, csv, field) => {
    const before = await rowCounts(t.db);
    const res = await request(app).post(path).set('Authorization', `Bearer ${c.key}`).set('Content-Type', 'text/csv').send(csv);
    expect(res.status).toBe(422);
    expect(res.body.error.fields).toEqual([{ field, message: expect.stringMatching(/contains a NUL character/) }]);
    expect(await rowCounts(t.db)).toEqual(before);
  });
});
