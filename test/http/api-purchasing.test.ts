import request from 'supertest';
import { givenApiClient } from '../support/app';
import { givenPart } from '../support/builders';
import { documentedApi } from './support/documented-api';
import { countRows } from '../support/ledger-checks';

const t = documentedApi();
const { expectDocumented } = t;

async function clientWithPo() {
  const c = await givenApiClient(t.db, t.app);
  await givenPart(t.db, c.actor, 'BOLT-8', { barcode: '5000000000008' });
  await givenPart(t.db, c.actor, 'SENSOR', { tracking: 'serial' });
  const po = await c.post('/api/v1/purchase-orders', {
    supplier: 'Fasteners Ltd', location: 'MAIN', currency: 'EUR', currency_rate: '1.25',
    lines: [
      { part: 'BOLT-8', quantity: '2', purchase_unit: 'box', units_per_purchase_unit: '100', unit_price: '25.00' },
      { part: 'SENSOR', quantity: '2', unit_price: '50' },
    ],
  }, { 'Idempotency-Key': 'po-1' }).expect(201);
  return { c, po };
}

describe('purchasing and goods-in over /api/v1', () => {
  it('creates a PO in purchase units and a foreign currency, and receives against it line by line', async () => {
    const { c, po } = await clientWithPo();
    expectDocumented(po, 'post', '/purchase-orders');
    expect(po.body.lines[0]).toMatchObject({ ordered: '200', unit_cost: '0.2', outstanding: '200' });
    const again = await c.post('/api/v1/purchase-orders', { supplier: 'Fasteners Ltd', location: 'MAIN', currency: 'EUR', currency_rate: '1.25', lines: [{ part: 'BOLT-8', quantity: '2', purchase_unit: 'box', units_per_purchase_unit: '100', unit_price: '25.00' }, { part: 'SENSOR', quantity: '2', unit_price: '50' }] }, { 'Idempotency-Key': 'po-1' }).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await countRows(t.db, c.actor, 'purchase_orders')).toBe(1);

    const box = await c.post(`/api/v1/purchase-orders/${po.body.id}/receipts`, { part: '5000000000008', quantity: '1' }, { 'Idempotency-Key': 'r-1' }).expect(201);
    expectDocumented(box, 'post', '/purchase-orders/{id}/receipts');
    expect(box.body.journal.lines.map((l: any) => [l.role, l.debit, l.credit])).toEqual([['raw_materials', '20.00', '0.00'], ['grni', '0.00', '20.00']]);
    const serials = await c.post(`/api/v1/purchase-orders/${po.body.id}/receipts`, { line: po.body.lines[1].id, quantity: '2', serials: ['S-1', 'S-2'] }).expect(201);
    expect(serials.body.receipt_line).toMatchObject({ quantity: '2', serials: ['S-1', 'S-2'], value: '80.00' });
    const rejected = await c.post(`/api/v1/purchase-orders/${po.body.id}/rejections`, { part: 'BOLT-8', quantity: '0.5', reason: 'crushed box' }).expect(201);
    expectDocumented(rejected, 'post', '/purchase-orders/{id}/rejections');
    const undo = await c.post(`/api/v1/receipt-lines/${box.body.receipt_line.id}/undo`).expect(201);
    expectDocumented(undo, 'post', '/receipt-lines/{id}/undo');
    expect(undo.body.purchase_order.line).toMatchObject({ received: '0', rejected: '50', outstanding: '200' });

    const got = await c.get(`/api/v1/purchase-orders/${po.body.id}`).expect(200);
    expectDocumented(got, 'get', '/purchase-orders/{id}');
    const delivery = await c.get(`/api/v1/deliveries/${got.body.open_delivery.id}`).expect(200);
    expectDocumented(delivery, 'get', '/deliveries/{id}');
    expect(delivery.body.lines.map((l: any) => [l.part, l.outcome, l.quantity, l.undone])).toEqual([['BOLT-8', 'rejected', '50', false], ['SENSOR', 'accepted', '2', false], ['BOLT-8', 'accepted', '100', true]]);
    expectDocumented(await c.post(`/api/v1/deliveries/${delivery.body.id}/finish`).expect(200), 'post', '/deliveries/{id}/finish');
    const returns = await c.get('/api/v1/returns').expect(200);
    expectDocumented(returns, 'get', '/returns');
    const returned = await c.post(`/api/v1/returns/${returns.body.returns[0].id}/returned`).expect(200);
    expectDocumented(returned, 'post', '/returns/{id}/returned');
    expect(returned.body.returns).toEqual([]);
    expectDocumented(await c.get('/api/v1/purchase-orders?q=fasten').expect(200), 'get', '/purchase-orders');
    expectDocumented(await c.get('/api/v1/suppliers').expect(200), 'get', '/suppliers');
    const closed = await c.post(`/api/v1/purchase-orders/${po.body.id}/status`, { status: 'closed' }).expect(200);
    expectDocumented(closed, 'post', '/purchase-orders/{id}/status');
    const refused = await c.post(`/api/v1/purchase-orders/${po.body.id}/receipts`, { part: 'BOLT-8', quantity: '1' }).expect(409);
    expect(refused.body.error.message).toMatch(/is closed/);
  });

  it('bills a receipt at a higher price and reports GRNI', async () => {
    const { c, po } = await clientWithPo();
    await c.post(`/api/v1/purchase-orders/${po.body.id}/receipts`, { part: 'BOLT-8', quantity: '2' }).expect(201);
    const grni = await c.get('/api/v1/reports/grni').expect(200);
    expectDocumented(grni, 'get', '/reports/grni');
    expect(grni.body.total).toBe('40.00');
    const bill = await c.post('/api/v1/bills', { supplier: 'Fasteners Ltd', number: 'F-100', reference: po.body.number, date: '2026-11-25', currency: 'EUR', currency_rate: '1.25', lines: [{ part: 'BOLT-8', quantity: '2', unit_price: '27.50', account_code: '815' }] }, { 'Idempotency-Key': 'bill-1' }).expect(201);
    expectDocumented(bill, 'post', '/bills');
    expect(bill.body).toMatchObject({ revalued: '4.00', variance: '0.00' });
    expect(bill.body.journal.lines.map((l: any) => [l.role, l.debit, l.credit])).toEqual([['raw_materials', '4.00', '0.00'], ['grni', '0.00', '4.00']]);
    expectDocumented(await c.get(`/api/v1/bills/${bill.body.id}`).expect(200), 'get', '/bills/{id}');
    expectDocumented(await c.get('/api/v1/bills').expect(200), 'get', '/bills');
    const dup = await c.post('/api/v1/bills', { supplier: 'Fasteners Ltd', number: 'F-100', date: '2026-11-25', currency: 'EUR', currency_rate: '1.25', lines: [{ part: 'BOLT-8', quantity: '1', unit_price: '1' }] }).expect(409);
    expect(dup.body.error.fields[0].field).toBe('number');
  });

  it('names the field at fault and changes nothing on bad input', async () => {
    const { c, po } = await clientWithPo();
    const before = await countRows(t.db, c.actor, 'stock_movements');
    const cases: [object, string, RegExp][] = [
      [{ part: 'NOPE', quantity: '1' }, 'part', /NOPE is not on purchase order/],
      [{ part: 'BOLT-8', quantity: '-1' }, 'quantity', /greater than zero|negative/],
      [{ line: po.body.lines[1].id, quantity: '1' }, 'serials', /one serial per unit/],
      [{ line: po.body.lines[1].id, quantity: '2', serials: ['X', 'X'] }, 'serials', /listed twice/],
      [{ part: 'BOLT-8', quantity: '3' }, 'quantity', /tolerance is 5%/],
    ];
    for (const [body, field, message] of cases) {
      const res = await c.post(`/api/v1/purchase-orders/${po.body.id}/receipts`, body).expect(422);
      expectDocumented(res, 'post', '/purchase-orders/{id}/receipts');
      expect(res.body.error.fields).toContainEqual({ field, message: expect.stringMatching(message) });
    }
    await c.post('/api/v1/purchase-orders/00000000-0000-4000-8000-000000000000/receipts', { part: 'BOLT-8', quantity: '1' }).expect(404);
    expect(await countRows(t.db, c.actor, 'stock_movements')).toBe(before);
    expect(await countRows(t.db, c.actor, 'receipt_lines')).toBe(0);
  });
});

describe('purchase order import and buying less over /api/v1', () => {
  it('imports POs from CSV and reports the lines free stock already covers', async () => {
    const c = await givenApiClient(t.db, t.app);
    await givenPart(t.db, c.actor, 'NUT-4');
    await c.post('/api/v1/stock/opening-balances', { occurred_on: '2026-11-01', lines: [{ part: 'NUT-4', location: 'MAIN', quantity: '500', unit_cost: '0.10' }] }).expect(201);
    const csv = 'po_number,supplier,location,sku,quantity,unit_price\nPO-7001,Nuts Inc,MAIN,NUT-4,100,0.12\n';
    const imported = await request(t.app).post('/api/v1/purchase-orders/import').set('Authorization', `Bearer ${c.key}`).type('text/csv').send(csv).expect(201);
    expectDocumented(imported, 'post', '/purchase-orders/import');
    expect(imported.body.purchase_orders).toEqual([expect.objectContaining({ number: 'PO-7001', lines: 1 })]);
    expect(imported.body.flagged).toEqual([expect.objectContaining({ part: 'NUT-4', free_stock: '500', value: '12.00' })]);
    const card = await c.get('/api/v1/reports/buying-less').expect(200);
    expectDocumented(card, 'get', '/reports/buying-less');
    expect(card.body.total_value).toBe('12.00');
    const bad = await request(t.app).post('/api/v1/purchase-orders/import').set('Authorization', `Bearer ${c.key}`).type('text/csv').send('po_number,supplier,location,sku,quantity,unit_price\nPO-7002,Nuts Inc,MAIN,NOPE,-1,0.12\n').expect(422);
    expectDocumented(bad, 'post', '/purchase-orders/import');
    expect(bad.body.error.fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['row 2, sku', 'row 2, quantity']));
    expect(await countRows(t.db, c.actor, 'purchase_orders')).toBe(1);
  });
});
