import request from 'supertest';
import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { testApp, givenApiClient } from '../support/app';
import { rowCounts } from './support/counts';


let t: TestDb;
let app: Express;
let c: Awaited<ReturnType<typeof givenApiClient>>;
beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
  c = await givenApiClient(t.db, app);
  await c.post('/api/v1/parts', { sku: 'P1', name: 'Whole part' }).expect(201);
  await c.post('/api/v1/parts', { sku: 'SER', name: 'Serial part', tracking: 'serial' }).expect(201);
  await c.post('/api/v1/stock/opening-balances', { occurred_on: '2026-11-01', lines: [{ part: 'P1', location: 'MAIN', quantity: '10', unit_cost: '2' }, { part: 'SER', location: 'MAIN', quantity: '2', unit_cost: '5', serials: ['S-1', 'S-2'] }] }).expect(201);
});
afterAll(async () => { await t.close(); });

type Case = { name: string; path: string; body: unknown; status: number; field: string; message: string | RegExp; headers?: Record<string, string> };
const receipt = (line: Record<string, unknown>) => ({ occurred_on: '2026-11-02', lines: [{ part: 'P1', location: 'MAIN', quantity: '1', unit_cost: '2', ...line }] });
const issue = (line: Record<string, unknown>) => ({ occurred_on: '2026-11-02', lines: [{ part: 'P1', location: 'MAIN', quantity: '1', ...line }] });
const noQuantity = { lines: [{ part: 'P1', location: 'MAIN', unit_cost: '2' }] };
const noUnitCost = { lines: [{ part: 'P1', location: 'MAIN', quantity: '1' }] };

const CASES: Case[] = [
  { name: 'a negative quantity', path: '/stock/receipts', body: receipt({ quantity: '-5' }), status: 422, field: 'lines.0.quantity', message: 'must be greater than zero' },
  { name: 'a zero quantity', path: '/stock/receipts', body: receipt({ quantity: 0 }), status: 422, field: 'lines.0.quantity', message: 'must be greater than zero' },
  { name: 'a non-numeric quantity', path: '/stock/receipts', body: receipt({ quantity: 'ten' }), status: 422, field: 'lines.0.quantity', message: 'must be a number (got "ten")' },
  { name: 'a quantity with 7 decimal places', path: '/stock/receipts', body: receipt({ quantity: '1.1234567' }), status: 422, field: 'lines.0.quantity', message: 'too many decimal places (at most 6)' },
  { name: 'a huge quantity as a JSON number', path: '/stock/receipts', body: receipt({ quantity: 1e30 }), status: 422, field: 'lines.0.quantity', message: 'is too large' },
  { name: 'a huge quantity as "1e30"', path: '/stock/receipts', body: receipt({ quantity: '1e30' }), status: 422, field: 'lines.0.quantity', message: 'not exponent notation' },
  { name: 'a missing quantity', path: '/stock/receipts', body: noQuantity, status: 422, field: 'lines.0.quantity', message: 'is required' },
  { name: 'a missing unit cost', path: '/stock/receipts', body: noUnitCost, status: 422, field: 'lines.0.unit_cost', message: 'is required' },
  { name: 'a negative unit cost', path: '/stock/receipts', body: receipt({ unit_cost: '-1' }), status: 422, field: 'lines.0.unit_cost', message: 'must not be negative' },
  { name: 'a non-numeric unit cost', path: '/stock/receipts', body: receipt({ unit_cost: 'free' }), status: 422, field: 'lines.0.unit_cost', message: 'must be a number' },
  { name: 'a unit cost with 11 decimal places', path: '/stock/receipts', body: receipt({ unit_cost: '0.12345678901' }), status: 422, field: 'lines.0.unit_cost', message: 'too many decimal places (at most 10)' },
  { name: 'a huge unit cost', path: '/stock/receipts', body: receipt({ unit_cost: 1e30 }), status: 422, field: 'lines.0.unit_cost', message: 'is too large' },
  { name: 'a negative issue', path: '/stock/issues', body: issue({ quantity: '-2' }), status: 422, field: 'lines.0.quantity', message: 'must be greater than zero' },
  { name: 'a zero adjustment', path: '/stock/adjustments', body: issue({ quantity: '0' }), status: 422, field: 'lines.0.quantity', message: 'must not be zero' },
  { name: 'half a whole-unit part', path: '/stock/receipts', body: receipt({ quantity: '1.5' }), status: 422, field: 'lines.0.quantity', message: 'not a whole number' },
  { name: 'an issue of more than is on hand', path: '/stock/issues', body: issue({ quantity: '11' }), status: 422, field: 'lines.0.quantity', message: 'Not enough P1 at MAIN: on hand 10, requested 11, short by 1' },
  { name: 'an unknown part', path: '/stock/receipts', body: receipt({ part: 'NOPE' }), status: 422, field: 'lines.0.part', message: 'Unknown part NOPE' },
  { name: 'an unknown location', path: '/stock/receipts', body: receipt({ location: 'NOWHERE' }), status: 422, field: 'lines.0.location', message: 'Unknown location NOWHERE' },
  { name: 'a transfer to the same location', path: '/stock/transfers', body: { lines: [{ part: 'P1', from: 'MAIN', to: 'MAIN', quantity: '1' }] }, status: 422, field: 'lines.0.to', message: 'must be different' },
  { name: 'an issue of a serial not in stock', path: '/stock/issues', body: issue({ part: 'SER', serials: ['S-9'] }), status: 422, field: 'lines.0.serials.0', message: 'Serial S-9 of SER cannot leave MAIN' },
  { name: 'a receipt of a serial already in stock', path: '/stock/receipts', body: receipt({ part: 'SER', serials: ['S-1'] }), status: 409, field: 'lines.0.serials.0', message: 'Serial S-1 of SER is already in stock' },
  { name: 'a serial listed twice', path: '/stock/receipts', body: receipt({ part: 'SER', quantity: '2', serials: ['S-7', 'S-7'] }), status: 422, field: 'lines.0.serials', message: 'listed twice' },
  { name: 'no lines', path: '/stock/receipts', body: { lines: [] }, status: 422, field: 'lines', message: 'give at least one line' },
  { name: 'a date that does not exist', path: '/stock/receipts', body: { ...receipt({}), occurred_on: '2026-02-30' }, status: 422, field: 'occurred_on', message: 'must be a real date like 2026-11-25' },
  { name: 'an unknown property', path: '/stock/receipts', body: { ...receipt({}), posted: true }, status: 422, field: 'body', message: 'posted' },
  { name: 'a malformed Idempotency-Key', path: '/stock/receipts', body: receipt({}), headers: { 'Idempotency-Key': 'x'.repeat(129) }, status: 422, field: 'Idempotency-Key', message: '1 to 128 visible ASCII characters' },
  { name: 'a part SKU with a space', path: '/parts', body: { sku: 'A B', name: 'Spaced' }, status: 422, field: 'sku', message: 'SKU may use letters' },
  { name: 'a duplicate part SKU', path: '/parts', body: { sku: 'P1', name: 'Again' }, status: 409, field: 'sku', message: 'A part with SKU P1 already exists' },
  { name: 'a negative reorder point', path: '/parts', body: { sku: 'P2', name: 'Part', reorder_point: '-1' }, status: 422, field: 'reorder_point', message: 'must be greater than zero' },
  { name: 'a duplicate location code', path: '/locations', body: { code: 'MAIN', name: 'Again', warehouse: 'Main' }, status: 409, field: 'code', message: 'already exists' },
];

/** The request is refused with the status, the field and a message; no 500 and nothing written. */
async function expectRefused(send: () => Promise<request.Response>, status: number, field: string, message: string | RegExp) {
  const before = await rowCounts(t.db);
  const res = await send();
  expect({ status: res.status, body: res.body }).toEqual({ status, body: expect.anything() });
  const problem = res.body.error.fields.find((f: { field: string }) => f.field === field);
  expect({ fields: res.body.error.fields, problem }).toEqual({ fields: res.body.error.fields, problem: { field, message: expect.stringMatching(typeof message === 'string' ? escape(message) : message) } });
  expect(res.body.error.message).toEqual(expect.stringMatching(/\w/));
  expect(await rowCounts(t.db)).toEqual(before);
  return res;
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('bad JSON input is refused with the field at fault and nothing written', () => {
  it.each(CASES)('$name → $status on $field', async ({ path, body, status, field, message, headers }) => {
    await expectRefused(() => c.post(`/api/v1${path}`, body, headers), status, field, message);
  });

  it('refuses a bad settings change: LIFO under IFRS', async () => {
    await expectRefused(() => c.patch('/api/v1/settings', { valuation_method: 'lifo' }), 422, 'valuation_method', 'LIFO is not permitted');
  });
});

const importCsv = (csv: string, query = '', key = c.key) => () => request(app).post(`/api/v1/parts/import${query}`).set('Authorization', `Bearer ${key}`).type('text/csv').send(csv);

describe('CSV import', () => {
  it('refuses a malformed CSV', async () => {
    await expectRefused(importCsv('sku,name\n"UNCLOSED,Part\n'), 422, 'csv', 'could not be read');
  });

  it('refuses a CSV with an unknown column', async () => {
    await expectRefused(importCsv('sku,name,colour\nA1,Part,red\n'), 422, 'csv', 'Unknown column(s): colour');
  });

  it('refuses the whole CSV when one line is bad, naming the line', async () => {
    const csv = 'sku,name,location,quantity,unit_cost\nA1,Part A,MAIN,10,2.5\nA2,Part B,MAIN,-3,1\nA3,Part C,MAIN,1,abc\n';
    const res = await expectRefused(importCsv(csv), 422, 'Row 3 · quantity', 'Row 3 · quantity: must be greater than zero');
    expect(res.body.error.fields).toContainEqual({ field: 'Row 4 · unit_cost', message: expect.stringContaining('must be a number') });
    await c.get('/api/v1/parts/A1').expect(404);
  });

  it('refuses a line whose location is unknown, naming the line', async () => {
    await expectRefused(importCsv('sku,name,location,quantity,unit_cost\nA1,Part A,NOWHERE,10,2.5\n'), 422, 'Row 2 · location', 'NOWHERE');
  });
});

describe('bodies the parser cannot take', () => {
  const raw = (body: string) => request(app).post('/api/v1/stock/receipts').set('Authorization', `Bearer ${c.key}`).type('json').send(body);

  it('answers 400 to malformed JSON', async () => {
    const before = await rowCounts(t.db);
    const res = await raw('{"lines": [{"part": "P1",');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'malformed_json', message: 'The request body is not valid JSON' });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('answers 413 to a JSON body over 1 MB', async () => {
    const before = await rowCounts(t.db);
    const res = await raw(JSON.stringify({ ...receipt({}), reference: 'x'.repeat(1_100_000) }));
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'too_large', message: 'The request body is too large' });
    expect(await rowCounts(t.db)).toEqual(before);
  });
});

describe('the lock date', () => {
  let l: typeof c;
  let early: { id: string };
  beforeAll(async () => {
    l = await givenApiClient(t.db, app);
    await l.post('/api/v1/parts', { sku: 'P1', name: 'Whole part' }).expect(201);
    early = (await l.post('/api/v1/stock/receipts', { occurred_on: '2026-10-01', lines: [{ part: 'P1', location: 'MAIN', quantity: '5', unit_cost: '2' }] }).expect(201)).body;
    await l.patch('/api/v1/settings', { lock_date: '2026-10-31' }).expect(200);
  });

  it('is answered as the date that was set', async () => {
    expect((await l.get('/api/v1/settings').expect(200)).body.lock_date).toBe('2026-10-31');
  });

  it.each([
    ['inside the locked period', '2026-10-15'],
    ['on the lock date itself', '2026-10-31'],
  ])('refuses a receipt dated %s', async (_what, date) => {
    await expectRefused(() => l.post('/api/v1/stock/receipts', { occurred_on: date, lines: [{ part: 'P1', location: 'MAIN', quantity: '1', unit_cost: '2' }] }), 422, 'occurred_on', `Date ${date} is inside the locked period (lock date 2026-10-31)`);
  });

  it('refuses an issue, an adjustment and a transfer in the locked period', async () => {
    const line = { part: 'P1', location: 'MAIN', quantity: '1' };
    await expectRefused(() => l.post('/api/v1/stock/issues', { occurred_on: '2026-10-20', lines: [line] }), 422, 'occurred_on', 'inside the locked period');
    await expectRefused(() => l.post('/api/v1/stock/adjustments', { occurred_on: '2026-10-20', lines: [line] }), 422, 'occurred_on', 'inside the locked period');
    await expectRefused(() => l.post('/api/v1/stock/transfers', { occurred_on: '2026-10-20', lines: [{ part: 'P1', from: 'MAIN', to: 'B', quantity: '1' }] }), 422, 'occurred_on', 'inside the locked period');
  });

  it('refuses a reversal dated in the locked period', async () => {
    await expectRefused(() => l.post(`/api/v1/events/${early.id}/reversal`, { occurred_on: '2026-10-20' }), 422, 'occurred_on', 'inside the locked period');
  });

  it('refuses a CSV import of opening stock dated in the locked period', async () => {
    await expectRefused(importCsv('sku,name,location,quantity,unit_cost\nA9,Part,MAIN,1,2\n', '?occurred_on=2026-10-20', l.key), 422, 'occurred_on', 'inside the locked period');
  });

  it('accepts the day after the lock date', async () => {
    await l.post('/api/v1/stock/receipts', { occurred_on: '2026-11-01', lines: [{ part: 'P1', location: 'MAIN', quantity: '1', unit_cost: '2' }] }).expect(201);
  });
});
