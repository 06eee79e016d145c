import { openTestDb, TestDb } from '../support/db';
import { testApp, givenApiClient } from '../support/app';
import { rowCounts } from './support/counts';
import { columnMax, PERCENT_COLUMN } from '../../server/domain/numbers';

// Each numeric input is bounded by the column it is stored in: the largest value the column holds
// is accepted, one step beyond is refused naming the field and the range. Before, a tax rate up to
// 1e12 reached its numeric(9,4) column and came back as out_of_range naming no field.

let t: TestDb;
let c: Awaited<ReturnType<typeof givenApiClient>>;
beforeAll(async () => {
  t = await openTestDb();
  c = await givenApiClient(t.db, testApp(t.db));
  await c.post('/api/v1/parts', { sku: 'P1', name: 'Part' }).expect(201);
});
afterAll(async () => { await t.close(); });

let n = 0;
const bill = (taxRate: string) => ({ supplier: 'Acme', number: `B-${++n}`, date: '2026-11-02', lines: [{ part: 'P1', quantity: '1', unit_price: '2', tax_rate: taxRate }] });

describe('a bill line\'s tax rate (numeric(9,4))', () => {
  it('accepts the largest value the column holds, 99999.9999', async () => {
    expect(columnMax(PERCENT_COLUMN).toFixed()).toBe('99999.9999');
    const res = await c.post('/api/v1/bills', bill('99999.9999'));
    expect(res.status).toBe(201);
    expect((await t.db('bill_lines').where({ tenant_id: c.actor.tenantId }).first('tax_rate')).tax_rate).toBe('99999.9999');
  });

  it.each([
    ['100000', 'must be from 0 to 99999.9999'],
    ['1000000000000', 'must be from 0 to 99999.9999'],
    ['-0.0001', 'must be from 0 to 99999.9999'],
    ['1.00001', 'has too many decimal places (at most 4)'],
  ])('refuses %s naming the field and the range, and writes nothing', async (taxRate, message) => {
    const before = await rowCounts(t.db);
    const res = await c.post('/api/v1/bills', bill(taxRate));
    expect({ status: res.status, fields: res.body.error.fields }).toEqual({ status: 422, fields: [{ field: 'lines.0.tax_rate', message }] });
    expect(await rowCounts(t.db)).toEqual(before);
  });
});

describe('a purchase-order line\'s tax rate', () => {
  it('refuses one beyond its column naming the field and the range', async () => {
    const res = await c.post('/api/v1/purchase-orders', { supplier: 'Acme', lines: [{ part: 'P1', quantity: '1', unit_price: '2', tax_rate: '100000' }] });
    expect({ status: res.status, fields: res.body.error.fields }).toEqual({ status: 422, fields: [{ field: 'lines.0.tax_rate', message: 'must be from 0 to 99999.9999' }] });
  });
});
