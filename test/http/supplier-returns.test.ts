import { givenApiClient } from '../support/app';
import { givenPart } from '../support/builders';
import { documentedApi } from './support/documented-api';
import { csrfOf, signIn } from './support/session';
import { createPurchaseOrder } from '../../server/services/purchasing/create-po';
import { dec } from '../../server/domain/decimal';
import { today } from '../../server/clock';

// Supplier returns over HTTP: the API (documented, idempotent, refusals naming the field) and the
// pages (the delivery's Return link, the return form without JavaScript, the returns list).

jest.setTimeout(120_000);
const t = documentedApi();
const daysAgo = (n: number) => new Date(Date.parse(`${today()}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

async function receivedOverApi(sku: string, qty: number, price: string) {
  const c = await givenApiClient(t.db, t.app);
  await givenPart(t.db, c.actor, sku);
  const po = (await createPurchaseOrder(t.db, c.actor, { supplier: 'Acme', location: 'MAIN', lines: [{ part: sku, quantity: dec(qty), unitPrice: dec(price) }] })).body;
  const received = await c.post(`/api/v1/purchase-orders/${po.id}/receipts`, { line: po.lines[0].id, quantity: String(qty), occurred_on: daysAgo(1) }).expect(201);
  return { c, po, receipt: received.body.receipt_line };
}

describe('supplier returns over the API', () => {
  it('returns part of a receipt, idempotently, with its journal against GRNI, and lists and undoes it', async () => {
    const { c, po, receipt } = await receivedOverApi('SRA-1', 10, '1.50');
    const body = { receipt_line: receipt.id, quantity: '4', reason: 'wrong size' };
    const first = await c.post('/api/v1/supplier-returns', body, { 'Idempotency-Key': 'sr-1' }).expect(201);
    t.expectDocumented(first, 'post', '/supplier-returns');
    expect(first.headers['idempotent-replayed']).toBe('false');
    expect(first.body).toMatchObject({ part: 'SRA-1', quantity: '4', value: '6.00', unbilled_qty: '4', billed_qty: '0', credit_expected: '0.00', po_number: po.number, occurred_on: today() });
    expect(first.body.journal.lines.map((l: any) => [l.account_code, l.role, l.debit, l.credit])).toEqual([['815', 'grni', '6.00', '0.00'], ['630', 'raw_materials', '0.00', '6.00']]);
    const again = await c.post('/api/v1/supplier-returns', body, { 'Idempotency-Key': 'sr-1' }).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);

    const list = await c.get('/api/v1/supplier-returns').expect(200);
    t.expectDocumented(list, 'get', '/supplier-returns');
    expect(list.body.supplier_returns.map((r: any) => [r.id, r.value])).toEqual([[first.body.id, '6.00']]);
    t.expectDocumented(await c.get(`/api/v1/supplier-returns/${first.body.id}`).expect(200), 'get', '/supplier-returns/{id}');
    const po2 = await c.get(`/api/v1/purchase-orders/${po.id}`).expect(200);
    expect(po2.body.status).toBe('open');
    expect(po2.body.lines[0]).toMatchObject({ received: '6', outstanding: '4' });

    const undone = await c.post(`/api/v1/supplier-returns/${first.body.id}/undo`).expect(201);
    t.expectDocumented(undone, 'post', '/supplier-returns/{id}/undo');
    expect(undone.body.undone).toBe(true);
    const twice = await c.post(`/api/v1/supplier-returns/${first.body.id}/undo`).expect(409);
    t.expectDocumented(twice, 'post', '/supplier-returns/{id}/undo');
  });

  it('refuses bad input naming the field, and another organisation\'s receipt as not found', async () => {
    const { c, receipt } = await receivedOverApi('SRA-2', 3, '2');
    const over = await c.post('/api/v1/supplier-returns', { receipt_line: receipt.id, quantity: '5', reason: 'x' }).expect(422);
    t.expectDocumented(over, 'post', '/supplier-returns');
    expect(over.body.error.fields).toEqual([{ field: 'quantity', message: 'Only 3 each of SRA-2 from this receipt is left to return (3 received, 0 returned already)' }]);
    const noReason = await c.post('/api/v1/supplier-returns', { receipt_line: receipt.id, quantity: '1' }).expect(422);
    expect(noReason.body.error.fields[0].field).toBe('reason');
    const early = await c.post('/api/v1/supplier-returns', { receipt_line: receipt.id, quantity: '1', reason: 'x', occurred_on: daysAgo(3) }).expect(422);
    expect(early.body.error.fields[0]).toMatchObject({ field: 'occurred_on' });
    const other = await givenApiClient(t.db, t.app);
    const theirs = await other.post('/api/v1/supplier-returns', { receipt_line: receipt.id, quantity: '1', reason: 'x' }).expect(404);
    t.expectDocumented(theirs, 'post', '/supplier-returns');
    expect(theirs.body.error.message).toBe(`Receipt line ${receipt.id} was not found`);
    expect(Number((await t.db('supplier_returns').where({ tenant_id: c.actor.tenantId }).count({ n: '*' }).first())!.n)).toBe(0);
  });
});

describe('supplier returns on the pages', () => {
  it('opens the return form from the delivery, refuses in people\'s words, records the return and lists it with its value', async () => {
    const { c, receipt } = await receivedOverApi('SRP-1', 6, '2.00');
    const email = (await t.db('users').where({ tenant_id: c.actor.tenantId }).first('email')).email;
    const agent = await signIn(t.app, email, 'correct horse battery');
    const delivery = (await agent.get(`/goods-in/deliveries/${receipt.delivery_id}`).expect(200)).text;
    expect(delivery).toContain(`href="/goods-in/receipt-lines/${receipt.id}/return"`);

    const form = (await agent.get(`/goods-in/receipt-lines/${receipt.id}/return`).expect(200)).text;
    expect(form).toContain('6 left to return');
    const key = /name="idempotency_key" value="([^"]+)"/.exec(form)![1];
    const refused = await agent.post(`/goods-in/receipt-lines/${receipt.id}/return`).type('form').send({ _csrf: csrfOf(form), idempotency_key: key, quantity: 'lots', reason: 'faulty' }).expect(422);
    expect(refused.text).toContain('Nothing was saved.');
    expect(refused.text).toMatch(/Quantity: /);
    expect(refused.text).not.toContain('receipt_line');

    await agent.post(`/goods-in/receipt-lines/${receipt.id}/return`).type('form').send({ _csrf: csrfOf(form), idempotency_key: key, quantity: '2', reason: 'faulty', occurred_on: today() })
      .expect(303).expect('Location', '/goods-in/returns');
    const returns = (await agent.get('/goods-in/returns').expect(200)).text;
    expect(returns).toContain('Returned after goods-in');
    expect(returns).toMatch(/<td class="num">4\.00<\/td>/);
    expect(returns).toContain('faulty');
    expect((await c.get('/api/v1/supplier-returns').expect(200)).body.supplier_returns.map((r: any) => r.quantity)).toEqual(['2']);
  });
});

describe('the goods-in page\'s Arrived on date', () => {
  it('defaults to today, records a receipt on the day given, and refuses a future day in people\'s words', async () => {
    const c = await givenApiClient(t.db, t.app);
    await givenPart(t.db, c.actor, 'GID-1');
    const po = (await createPurchaseOrder(t.db, c.actor, { supplier: 'Acme', location: 'MAIN', lines: [{ part: 'GID-1', quantity: dec(5), unitPrice: dec(1) }] })).body;
    const email = (await t.db('users').where({ tenant_id: c.actor.tenantId }).first('email')).email;
    const agent = await signIn(t.app, email, 'correct horse battery');
    const page = (await agent.get(`/goods-in/${po.id}`).expect(200)).text;
    expect(page).toContain(`name="occurred_on" class="keep" value="${today()}"`);
    const lineId = po.lines[0].id;
    const form = (extra: Record<string, string>) => ({ _csrf: csrfOf(page), line: lineId, [`qty[${lineId}]`]: '1', ...extra });
    const future = new Date(Date.parse(`${today()}T00:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10);
    const refused = await agent.post(`/goods-in/${po.id}/receive`).type('form').send(form({ occurred_on: future })).expect(422);
    expect(refused.text).toContain(`Arrived on: ${future} is in the future`);
    expect(refused.text).not.toContain('occurred_on:');
    await agent.post(`/goods-in/${po.id}/receive`).type('form').send(form({ occurred_on: daysAgo(2) })).expect(303);
    const events = await t.db('stock_events').where({ tenant_id: c.actor.tenantId, kind: 'receipt' }).pluck('occurred_on');
    expect(events).toEqual([daysAgo(2)]);
  });
});
