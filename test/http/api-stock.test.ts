import { Express } from 'express';
import { openTestDb, TestDb } from '../support/db';
import { testApp, givenApiClient } from '../support/app';
import { rowCounts } from './support/counts';


let t: TestDb;
let app: Express;
beforeAll(async () => {
  t = await openTestDb();
  app = testApp(t.db);
});
afterAll(async () => { await t.close(); });

const MAIN = { part: 'BRG-6204', location: 'MAIN' };
const dr = (account_code: string, account_name: string, role: string, amount: string) => ({ account_code, account_name, role, debit: amount, credit: '0.00' });
const cr = (account_code: string, account_name: string, role: string, amount: string) => ({ account_code, account_name, role, debit: '0.00', credit: amount });
const RAW = ['630', 'Raw Materials Stock', 'raw_materials'] as const;
const movement = (location: string, quantity: string, unit_cost: string, value: string) => expect.objectContaining({ part: 'BRG-6204', location, lot: null, serial: null, quantity, unit_cost, value });

describe('a part through its life in the API (FIFO)', () => {
  it('records opening stock, a receipt, an issue, an adjustment, a transfer and a reversal with exact values and journals', async () => {
    const c = await givenApiClient(t.db, app);
    await c.post('/api/v1/parts', { sku: 'BRG-6204', name: 'Bearing 6204' }).expect(201);

    const opening = await c.post('/api/v1/stock/opening-balances', { occurred_on: '2026-11-01', lines: [{ ...MAIN, quantity: '10', unit_cost: '2.50' }] }).expect(201);
    expect(opening.body).toMatchObject({ kind: 'opening_balance', occurred_on: '2026-11-01', movements: [movement('MAIN', '10', '2.5', '25')] });
    expect(opening.body.journal.lines).toEqual([dr(...RAW, '25.00'), cr('840', 'Historical Adjustment', 'opening_balance', '25.00')]);

    const receipt = await c.post('/api/v1/stock/receipts', { occurred_on: '2026-11-02', reference: 'PO-7', lines: [{ ...MAIN, quantity: '10', unit_cost: '3.00' }] }).expect(201);
    expect(receipt.body).toMatchObject({ kind: 'receipt', reference: 'PO-7', movements: [movement('MAIN', '10', '3', '30')] });
    expect(receipt.body.journal.lines).toEqual([dr(...RAW, '30.00'), cr('815', 'Goods Received Not Invoiced', 'grni', '30.00')]);

    // FIFO: all 10 at 2.50 and 2 at 3.00.
    const issue = await c.post('/api/v1/stock/issues', { occurred_on: '2026-11-03', lines: [{ ...MAIN, quantity: '12' }] }).expect(201);
    expect(issue.body.movements).toEqual([movement('MAIN', '-12', '2.5833333333', '-31')]);
    expect(issue.body.journal.lines).toEqual([dr('310', 'Cost of Goods Sold', 'cogs', '31.00'), cr(...RAW, '31.00')]);

    const adjustment = await c.post('/api/v1/stock/adjustments', { occurred_on: '2026-11-04', reason: 'damaged', lines: [{ ...MAIN, quantity: '-1' }] }).expect(201);
    expect(adjustment.body.movements).toEqual([movement('MAIN', '-1', '3', '-3')]);
    expect(adjustment.body.journal.lines).toEqual([dr('312', 'Stock Adjustments', 'stock_adjustments', '3.00'), cr(...RAW, '3.00')]);

    // Both locations are on the same stock account: the value moves, no journal is needed.
    const transfer = await c.post('/api/v1/stock/transfers', { occurred_on: '2026-11-05', lines: [{ part: 'BRG-6204', from: 'MAIN', to: 'B', quantity: '4' }] }).expect(201);
    expect(transfer.body.movements).toEqual([movement('MAIN', '-4', '3', '-12'), movement('B', '4', '3', '12')]);
    expect(transfer.body.journal).toBeNull();

    const reversal = await c.post(`/api/v1/events/${issue.body.id}/reversal`, { occurred_on: '2026-11-06', reason: 'wrong part' }).expect(201);
    expect(reversal.body).toMatchObject({ kind: 'reversal', reverses_event_id: issue.body.id, reason: 'wrong part', movements: [movement('MAIN', '12', '2.5833333333', '31')] });
    expect(reversal.body.journal.lines).toEqual([dr(...RAW, '31.00'), cr('310', 'Cost of Goods Sold', 'cogs', '31.00')]);

    const original = await c.get(`/api/v1/events/${issue.body.id}`).expect(200);
    expect(original.body.reversed_by_event_id).toBe(reversal.body.id);

    // 25 + 30 - 31 - 3 + 31 = 52: MAIN holds 10 at 2.50 and 5 at 3.00, B holds 4 at 3.00.
    const part = await c.get('/api/v1/parts/BRG-6204').expect(200);
    expect(part.body.figures).toEqual({ on_hand: '19', allocated: '0', available: '19', value: '52.00' });
    expect(part.body.balances).toEqual([
      { location: 'B', lot: null, on_hand: '4', allocated: '0', available: '4', value: '12.00' },
      { location: 'MAIN', lot: null, on_hand: '15', allocated: '0', available: '15', value: '40.00' },
    ]);
    expect(part.body.layers.map(({ id: _id, ...l }: { id: string }) => l)).toEqual([
      { location: 'MAIN', lot: null, original_qty: '10', original_unit_cost: '2.5', remaining_qty: '10', unit_cost: '2.5', remaining_value: '25.00' },
      { location: 'MAIN', lot: null, original_qty: '10', original_unit_cost: '3', remaining_qty: '5', unit_cost: '3', remaining_value: '15.00' },
      { location: 'B', lot: null, original_qty: '4', original_unit_cost: '3', remaining_qty: '4', unit_cost: '3', remaining_value: '12.00' },
    ]);
    expect(part.body.movements.map((m: { kind: string; quantity: string; value: string }) => [m.kind, m.quantity, m.value])).toEqual([
      ['reversal', '12', '31.00'], ['transfer', '4', '12.00'], ['transfer', '-4', '-12.00'], ['adjustment', '-1', '-3.00'],
      ['issue', '-12', '-31.00'], ['receipt', '10', '30.00'], ['opening_balance', '10', '25.00'],
    ]);

    const rec = await c.get('/api/v1/reconciliation').expect(200);
    expect(rec.body.reconciled).toBe(true);
    expect(rec.body.accounts[0]).toMatchObject({ role: 'raw_materials', layer_value: '52.00', journal_total: '52.00', difference: '0.00' });
    const valuation = await c.get('/api/v1/valuation').expect(200);
    expect(valuation.body.total).toBe('52.00');
  });

  it('refuses to reverse an event twice', async () => {
    const c = await givenApiClient(t.db, app);
    await c.post('/api/v1/parts', { sku: 'BRG-6204', name: 'Bearing 6204' }).expect(201);
    const receipt = await c.post('/api/v1/stock/receipts', { occurred_on: '2026-11-02', lines: [{ ...MAIN, quantity: '2', unit_cost: '1' }] }).expect(201);
    await c.post(`/api/v1/events/${receipt.body.id}/reversal`).expect(201);
    const again = await c.post(`/api/v1/events/${receipt.body.id}/reversal`).expect(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('already reversed') });
  });
});

describe('Idempotency-Key', () => {
  it('replays the stored response for the same key and body, with Idempotent-Replayed: true and no new rows', async () => {
    const c = await givenApiClient(t.db, app);
    await c.post('/api/v1/parts', { sku: 'BRG-6204', name: 'Bearing 6204' }).expect(201);
    const body = { occurred_on: '2026-11-02', lines: [{ ...MAIN, quantity: '5', unit_cost: '2' }] };
    const first = await c.post('/api/v1/stock/receipts', body, { 'Idempotency-Key': 'rcpt-0001' }).expect(201);
    expect(first.headers['idempotent-replayed']).toBe('false');
    const before = await rowCounts(t.db);

    const again = await c.post('/api/v1/stock/receipts', body, { 'Idempotency-Key': 'rcpt-0001' }).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await rowCounts(t.db)).toEqual(before);
    expect((await c.get('/api/v1/parts/BRG-6204')).body.figures.on_hand).toBe('5');
  });

  it('answers 409 when the same key comes with a different body, and writes nothing', async () => {
    const c = await givenApiClient(t.db, app);
    await c.post('/api/v1/parts', { sku: 'BRG-6204', name: 'Bearing 6204' }).expect(201);
    await c.post('/api/v1/stock/receipts', { lines: [{ ...MAIN, quantity: '5', unit_cost: '2' }] }, { 'Idempotency-Key': 'rcpt-0002' }).expect(201);
    const before = await rowCounts(t.db);
    const other = await c.post('/api/v1/stock/receipts', { lines: [{ ...MAIN, quantity: '6', unit_cost: '2' }] }, { 'Idempotency-Key': 'rcpt-0002' }).expect(409);
    expect(other.body.error).toMatchObject({ code: 'conflict', fields: [{ field: 'Idempotency-Key', message: expect.stringContaining('different request') }] });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('replays a reversal too', async () => {
    const c = await givenApiClient(t.db, app);
    await c.post('/api/v1/parts', { sku: 'BRG-6204', name: 'Bearing 6204' }).expect(201);
    const receipt = await c.post('/api/v1/stock/receipts', { lines: [{ ...MAIN, quantity: '5', unit_cost: '2' }] }).expect(201);
    const first = await c.post(`/api/v1/events/${receipt.body.id}/reversal`, { reason: 'typo' }, { 'Idempotency-Key': 'rev-1' }).expect(201);
    const again = await c.post(`/api/v1/events/${receipt.body.id}/reversal`, { reason: 'typo' }, { 'Idempotency-Key': 'rev-1' }).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });
});

describe('roles', () => {
  it('refuses a receipt to a bookkeeper key with 403', async () => {
    const c = await givenApiClient(t.db, app, 'bookkeeper');
    const before = await rowCounts(t.db);
    const res = await c.post('/api/v1/stock/receipts', { lines: [{ part: 'X', location: 'MAIN', quantity: '1', unit_cost: '1' }] }).expect(403);
    expect(res.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('admin or operations') });
    expect(await rowCounts(t.db)).toEqual(before);
    await c.get('/api/v1/journals').expect(200);
  });

  it('refuses opening balances to an operations key with 403, but takes its receipts', async () => {
    const c = await givenApiClient(t.db, app, 'operations');
    await c.post('/api/v1/parts', { sku: 'BRG-6204', name: 'Bearing 6204' }).expect(201);
    const res = await c.post('/api/v1/stock/opening-balances', { lines: [{ ...MAIN, quantity: '1', unit_cost: '1' }] }).expect(403);
    expect(res.body.error.code).toBe('forbidden');
    await c.post('/api/v1/stock/receipts', { lines: [{ ...MAIN, quantity: '1', unit_cost: '1' }] }).expect(201);
    await c.patch('/api/v1/settings', { lock_date: '2026-01-31' }).expect(403);
  });
});
