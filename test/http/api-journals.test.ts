import { givenApiClient } from '../support/app';
import { givenPart } from '../support/builders';
import { documentedApi } from './support/documented-api';
import { createPurchaseOrder } from '../../server/services/purchasing/create-po';
import { dec } from '../../server/domain/decimal';
import { today } from '../../server/clock';

// Journals over the API with their lines: a goods-in receipt's journal read back in full, the
// list with ?include=lines, and 404s for a journal that is unknown or another organisation's.

jest.setTimeout(120_000);
const t = documentedApi();
const daysAgo = (n: number) => new Date(Date.parse(`${today()}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

async function receivedOnApi() {
  const c = await givenApiClient(t.db, t.app);
  await givenPart(t.db, c.actor, 'JRN-1');
  const po = (await createPurchaseOrder(t.db, c.actor, { supplier: 'Acme', location: 'MAIN', lines: [{ part: 'JRN-1', quantity: dec(8), unitPrice: dec('2.25') }] })).body;
  const received = await c.post(`/api/v1/purchase-orders/${po.id}/receipts`, { line: po.lines[0].id, quantity: '8', occurred_on: daysAgo(2) }).expect(201);
  t.expectDocumented(received, 'post', '/purchase-orders/{id}/receipts');
  return { c, received: received.body };
}

describe('journals over the API', () => {
  it('gives a goods-in receipt\'s journal with its lines, account codes and roles, dated the day the goods arrived', async () => {
    const { c, received } = await receivedOnApi();
    expect(received.journal.date).toBe(daysAgo(2));
    const res = await c.get(`/api/v1/journals/${received.journal.id}`).expect(200);
    t.expectDocumented(res, 'get', '/journals/{id}');
    expect(res.body).toMatchObject({ id: received.journal.id, date: daysAgo(2), event_id: received.event_id, posting: { status: 'pending' }, accounting_system: null, accounting_system_id: null });
    expect(res.body.lines).toEqual([
      { account_code: '630', account_name: 'Raw Materials Stock', role: 'raw_materials', debit: '18.00', credit: '0.00' },
      { account_code: '815', account_name: 'Goods Received Not Invoiced', role: 'grni', debit: '0.00', credit: '18.00' },
    ]);
  });

  it('lists journals with their lines only when asked (?include=lines)', async () => {
    const { c, received } = await receivedOnApi();
    const plain = await c.get('/api/v1/journals').expect(200);
    t.expectDocumented(plain, 'get', '/journals');
    expect(plain.body.journals[0]).not.toHaveProperty('lines');
    const full = await c.get('/api/v1/journals?include=lines').expect(200);
    t.expectDocumented(full, 'get', '/journals');
    const mine = full.body.journals.find((j: { id: string }) => j.id === received.journal.id);
    expect(mine.lines.map((l: any) => [l.account_code, l.role, l.debit, l.credit])).toEqual([['630', 'raw_materials', '18.00', '0.00'], ['815', 'grni', '0.00', '18.00']]);
    const bad = await c.get('/api/v1/journals?include=everything').expect(422);
    t.expectDocumented(bad, 'get', '/journals');
    expect(bad.body.error.fields[0].field).toBe('include');
  });

  it('answers 404 in people\'s words for an unknown journal and for another organisation\'s', async () => {
    const { received } = await receivedOnApi();
    const other = await givenApiClient(t.db, t.app);
    const theirs = await other.get(`/api/v1/journals/${received.journal.id}`).expect(404);
    t.expectDocumented(theirs, 'get', '/journals/{id}');
    expect(theirs.body.error).toMatchObject({ code: 'not_found', message: `Journal ${received.journal.id} was not found` });
    const unknown = await other.get('/api/v1/journals/00000000-0000-4000-8000-000000000000').expect(404);
    expect(unknown.body.error.message).toBe('Journal 00000000-0000-4000-8000-000000000000 was not found');
    const full = await other.get('/api/v1/journals?include=lines').expect(200);
    expect(full.body.journals).toEqual([]);
  });
});
