import request, { Response } from 'supertest';
import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { testApp, givenApiClient } from '../support/app';
import { givenPart } from '../support/builders';
import { expectReconciled } from '../support/ledger-checks';
import { dec } from '../../server/domain/decimal';
import { today } from '../../server/clock';
import { createApiKey } from '../../server/services/auth/accounts';
import { createPurchaseOrder } from '../../server/services/purchasing/create-po';
import { receiveLine } from '../../server/services/goods-in/receive';
import { postStockEvent } from '../../server/services/stock/post-event';
import { problems, responseSchema, OpenApi } from './support/json-schema';

let t: TestDb;
let app: Express;
let client: Awaited<ReturnType<typeof givenApiClient>>;
let po: { id: string; number: string };
let doc: OpenApi;
beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
  client = await givenApiClient(t.db, app);
  doc = (await client.get('/api/v1/openapi.json').expect(200)).body;
  await givenPart(t.db, client.actor, 'BRG-1', { name: 'Bearing 6204' });
  // 10 received at 2.50 from Acme against the PO; 4 issued since.
  const view = (await createPurchaseOrder(t.db, client.actor, { supplier: 'Acme', location: 'MAIN', lines: [{ part: 'BRG-1', quantity: dec(10), unitPrice: dec('2.50') }] })).body;
  po = { id: view.id, number: view.number };
  await receiveLine(t.db, client.actor, po.id, { part: 'BRG-1', quantity: dec(10) });
  await postStockEvent(t.db, client.actor, { kind: 'issue', expenseRole: 'cogs', occurredOn: today(), lines: [{ part: 'BRG-1', location: 'MAIN', quantity: dec(4) }] });
});
afterAll(async () => { await t.close(); });

/** Every answer, errors too, is as the OpenAPI document says. */
function expectDocumented(res: Response, method: string, path: string): Response {
  expect(problems(doc, res.body, responseSchema(doc, method, path, res.status))).toEqual([]);
  return res;
}

const count = async (table: string) => Number((await t.db(table).count({ n: '*' }).first())!.n);
const bill = () => ({ supplier: 'Acme', number: 'INV-1', reference: po.number, date: today(), lines: [{ part: 'BRG-1', quantity: '10', unit_price: '2.80', tax_rate: '20', account_code: '815' }] });

describe('bills through the API', () => {
  it('reports the received, unbilled line as GRNI before the bill', async () => {
    const res = expectDocumented(await client.get('/api/v1/reports/grni').expect(200), 'get', '/reports/grni');
    expect(res.body).toEqual({
      as_at: today(),
      total: '25.00',
      suppliers: [{
        supplier: 'Acme', value: '25.00',
        lines: [{ supplier: 'Acme', po_id: po.id, po_number: po.number, line_no: 1, part: 'BRG-1', part_name: 'Bearing 6204', unbilled_qty: '10', value: '25.00', oldest_receipt: today(), age_days: 0 }],
      }],
    });
  });

  it('records a bill once for one Idempotency-Key: the repeat is replayed, not recorded again', async () => {
    const first = expectDocumented(await client.post('/api/v1/bills', bill(), { 'Idempotency-Key': 'bill-inv-1' }).expect(201), 'post', '/bills');
    expect(first.headers['idempotent-replayed']).toBe('false');
    const rows = { bills: await count('bills'), journals: await count('journals'), stock_events: await count('stock_events') };
    const again = expectDocumented(await client.post('/api/v1/bills', bill(), { 'Idempotency-Key': 'bill-inv-1' }).expect(201), 'post', '/bills');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect({ bills: await count('bills'), journals: await count('journals'), stock_events: await count('stock_events') }).toEqual(rows);
    expect(rows.bills).toBe(1);
    // The same key with another body is refused, and writes nothing.
    const other = expectDocumented(await client.post('/api/v1/bills', { ...bill(), number: 'INV-2' }, { 'Idempotency-Key': 'bill-inv-1' }).expect(409), 'post', '/bills');
    expect(other.body.error.fields).toEqual([{ field: 'Idempotency-Key', message: expect.stringContaining('already used for a different request') }]);
    expect(await count('bills')).toBe(1);
  });

  it('refuses the same bill number from the same supplier under a new key with 409 on number', async () => {
    const res = expectDocumented(await client.post('/api/v1/bills', bill(), { 'Idempotency-Key': 'bill-inv-1-again' }).expect(409), 'post', '/bills');
    expect(res.body.error).toEqual({ code: 'conflict', message: 'Bill INV-1 from Acme is already recorded', fields: [{ field: 'number', message: 'Bill INV-1 from Acme is already recorded' }] });
    expect(await count('bills')).toBe(1);
  });

  it('refuses an unknown part on lines.0.part and refuses a bill from an operations key (admin and bookkeeper only)', async () => {
    const bad = expectDocumented(await client.post('/api/v1/bills', { ...bill(), number: 'INV-9', lines: [{ part: 'NOPE', quantity: '1', unit_price: '1' }] }).expect(422), 'post', '/bills');
    expect(bad.body.error.fields).toEqual([{ field: 'lines.0.part', message: 'Unknown part NOPE' }]);
    const { key } = await createApiKey(t.db, client.actor.tenantId, null, 'ops', 'operations');
    await request(app).post('/api/v1/bills').set('Authorization', `Bearer ${key}`).send({ ...bill(), number: 'INV-10' }).expect(403);
    expect(await count('bills')).toBe(1);
  });

  it('lists the bill, and shows it with its match, revaluation, variance and journal', async () => {
    const list = expectDocumented(await client.get('/api/v1/bills').expect(200), 'get', '/bills');
    expect(list.body.bills).toEqual([{ id: expect.any(String), number: 'INV-1', reference: po.number, supplier: 'Acme', date: today(), currency: 'GBP', lines: 1, flagged_lines: 0, event_id: expect.any(String) }]);
    const { id, event_id: eventId } = list.body.bills[0];
    const res = expectDocumented(await client.get(`/api/v1/bills/${id}`).expect(200), 'get', '/bills/{id}');
    expect(res.body).toMatchObject({
      id, number: 'INV-1', reference: po.number, supplier: 'Acme', date: today(), currency: 'GBP', currency_rate: '1', amounts: 'exclusive',
      revalued: '1.80', variance: '1.20', event_id: eventId,
    });
    expect(res.body.lines).toEqual([{
      id: expect.any(String), line_no: 1, part: 'BRG-1', description: 'Bearing 6204', quantity: '10', unit_price: '2.8', tax_rate: '20', account_code: '815', matched_qty: '10', flags: [],
      matches: [{ receipt_line_id: expect.any(String), po_id: po.id, po_number: po.number, quantity: '10', receipt_unit_cost: '2.5', bill_unit_cost: '2.8', revalued: '1.80', variance: '1.20' }],
    }]);
    expect(res.body.journal.lines.map((l: { account_code: string; role: string; debit: string; credit: string }) => [l.account_code, l.role, l.debit, l.credit])).toEqual([
      ['630', 'raw_materials', '1.80', '0.00'],
      ['311', 'ppv', '1.20', '0.00'],
      ['815', 'grni', '0.00', '3.00'],
    ]);
    expectDocumented(await client.get('/api/v1/bills/00000000-0000-4000-8000-000000000000').expect(404), 'get', '/bills/{id}');
    await expectReconciled(t.db, client.actor);
  });

  it('reports nothing left in GRNI once the bill has matched all that was received', async () => {
    expect(expectDocumented(await client.get('/api/v1/reports/grni').expect(200), 'get', '/reports/grni').body).toEqual({ as_at: today(), total: '0.00', suppliers: [] });
  });
});
