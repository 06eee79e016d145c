import { openTestDb, TestDb } from '../../support/db';
import { givenOrganisation, givenPart } from '../../support/builders';
import { dec } from '../../../server/domain/decimal';
import { today } from '../../../server/clock';
import { Actor } from '../../../server/services/stock/types';
import { postStockEvent } from '../../../server/services/stock/post-event';
import { importPurchaseOrdersCsv, PO_CSV_COLUMNS } from '../../../server/services/purchasing/import-pos';
import { Invalid } from '../../../server/errors';

let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

const HEADER = PO_CSV_COLUMNS.join(',');
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n');

/** An organisation (GBP) with whole-unit screws, bearings and motors, and 10 bearings on hand. */
async function givenBuyer(): Promise<Actor> {
  const actor = await givenOrganisation(t.db);
  for (const sku of ['SCR-M4', 'BRG-1', 'MOT-1']) await givenPart(t.db, actor, sku);
  await postStockEvent(t.db, actor, { kind: 'opening_balance', occurredOn: today(), lines: [{ part: 'BRG-1', location: 'MAIN', quantity: dec(10), unitCost: dec('2.00') }] });
  return actor;
}

async function storedLines(actor: Actor) {
  return t.db('purchase_order_lines as pl')
    .join('purchase_orders as o', (j) => j.on('o.id', 'pl.po_id').andOn('o.tenant_id', 'pl.tenant_id'))
    .join('parts as p', (j) => j.on('p.id', 'pl.part_id').andOn('p.tenant_id', 'pl.tenant_id'))
    .where('pl.tenant_id', actor.tenantId)
    .orderBy(['o.number', 'pl.line_no'])
    .select('o.number', 'o.currency', 'o.currency_rate', 'o.amounts', 'p.sku', 'pl.quantity', 'pl.purchase_unit', 'pl.units_per_purchase_unit', 'pl.ordered_qty', 'pl.unit_cost', 'pl.flag_value');
}

async function purchasingRowCounts(actor: Actor) {
  const count = async (table: string) => Number((await t.db(table).where({ tenant_id: actor.tenantId }).count({ n: '*' }).first())!.n);
  return { purchase_orders: await count('purchase_orders'), purchase_order_lines: await count('purchase_order_lines'), suppliers: await count('suppliers') };
}

describe('importing purchase orders from CSV', () => {
  it('stores two POs: a box of 100 in stock units and a EUR PO at base-currency unit cost, and flags the covered line', async () => {
    const actor = await givenBuyer();
    const report = await importPurchaseOrdersCsv(t.db, actor, csv(
      'PO-A1,Acme Fasteners,2026-11-20,2026-11-30,GBP,,exclusive,MAIN,SCR-M4,M4 screws,3,box,100,12.50,20,300',
      'PO-A1,,,,,,,,BRG-1,Bearing,4,,,2.40,20,300',
      'PO-E1,Euro Motors,2026-11-21,,eur,1.25,inclusive,B,MOT-1,,2,,,150,20,',
    ));

    expect(report.purchase_orders).toEqual([
      { id: expect.any(String), number: 'PO-A1', lines: 2 },
      { id: expect.any(String), number: 'PO-E1', lines: 1 },
    ]);
    const rows = (await storedLines(actor)).map((r) => ({
      number: r.number, currency: r.currency, rate: dec(r.currency_rate).toFixed(), amounts: r.amounts, sku: r.sku, quantity: dec(r.quantity).toFixed(),
      purchase_unit: r.purchase_unit, per: dec(r.units_per_purchase_unit).toFixed(), ordered: dec(r.ordered_qty).toFixed(), unit_cost: dec(r.unit_cost).toFixed(),
      flag: r.flag_value === null ? null : dec(r.flag_value).toFixed(2),
    }));
    expect(rows).toEqual([
      // 3 boxes of 100 at 12.50 a box: 300 screws at 0.125 each.
      { number: 'PO-A1', currency: 'GBP', rate: '1', amounts: 'exclusive', sku: 'SCR-M4', quantity: '3', purchase_unit: 'box', per: '100', ordered: '300', unit_cost: '0.125', flag: null },
      // 10 bearings on hand cover the 4 ordered: flagged at 4 x 2.40.
      { number: 'PO-A1', currency: 'GBP', rate: '1', amounts: 'exclusive', sku: 'BRG-1', quantity: '4', purchase_unit: 'each', per: '1', ordered: '4', unit_cost: '2.4', flag: '9.60' },
      // EUR 150 including 20% tax is EUR 125, at 1.25 EUR per GBP: GBP 100 a motor.
      { number: 'PO-E1', currency: 'EUR', rate: '1.25', amounts: 'inclusive', sku: 'MOT-1', quantity: '2', purchase_unit: 'each', per: '1', ordered: '2', unit_cost: '100', flag: null },
    ]);
    expect(report.flagged).toEqual([
      expect.objectContaining({ po_number: 'PO-A1', supplier: 'Acme Fasteners', line_no: 2, part: 'BRG-1', quantity: '4', free_stock: '10', value: '9.60' }),
    ]);
    const header = await t.db('purchase_orders').where({ tenant_id: actor.tenantId, number: 'PO-A1' }).first('order_date', 'expected_date', 'status');
    expect(header).toEqual({ order_date: '2026-11-20', expected_date: '2026-11-30', status: 'open' });
  });

  it('reports every problem in every row with its row and column, and stores nothing', async () => {
    const actor = await givenBuyer();
    const before = await purchasingRowCounts(actor);
    const err = await importPurchaseOrdersCsv(t.db, actor, csv(
      'PO-X1,Acme Fasteners,2026-11-20,,,,,MAIN,NOPE-9,,1,,,1.00,,',
      'PO-X1,,,,,,,,BRG-1,,-2,,,2.40,,',
      'PO-X1,,,,,,,,BRG-1,,2.5,,,2.40,,',
      'PO-X2,Global Motors,2026-11-20,,USD,,,MAIN,MOT-1,,1,,,90,,',
      'PO-X2,Other Motors,,,,,,,MOT-1,,1,,,90,,',
      'PO-X3,Fine Supplies,2026-11-20,,,,,MAIN,SCR-M4,,1,box,100,5,,',
    )).then(() => null, (e) => e);

    expect(err).toBeInstanceOf(Invalid);
    expect(err.message).toBe('The CSV has 5 problem(s); nothing was imported');
    expect(err.fields.map((f: { field: string }) => f.field)).toEqual([
      'row 2, sku', 'row 3, quantity', 'row 4, quantity', 'row 5, currency_rate', 'row 6, supplier',
    ]);
    const messages = err.fields.map((f: { message: string }) => f.message);
    expect(messages[0]).toBe('row 2, sku: Unknown part NOPE-9');
    expect(messages[1]).toBe('row 3, quantity: must be greater than zero');
    expect(messages[2]).toMatch(/^row 4, quantity: BRG-1 is counted in whole each; 2\.5 × 1 is not a whole number/);
    expect(messages[3]).toMatch(/^row 5, currency_rate: A PO in USD needs its rate/);
    expect(messages[4]).toMatch(/^row 6, supplier: "Other Motors" contradicts row 5 of PO PO-X2/);
    // The good PO-X3 was rolled back with the rest: all or nothing.
    expect(await purchasingRowCounts(actor)).toEqual(before);
  });

  it('names header problems at the first row of their PO, and refuses a PO number that already exists', async () => {
    const actor = await givenBuyer();
    await importPurchaseOrdersCsv(t.db, actor, csv('PO-D1,Acme,2026-11-20,,,,,MAIN,BRG-1,,1,,,1,,'));
    const before = await purchasingRowCounts(actor);
    const err = await importPurchaseOrdersCsv(t.db, actor, csv(
      'PO-D1,Acme,2026-11-20,,,,,MAIN,BRG-1,,1,,,1,,',
      'PO-D2,Acme,2026-13-45,,,,gross,NOWHERE,BRG-1,,1,,,1,0,',
      'PO-D2,,,,,,,,BRG-1,,1,,,1,150,',
    )).then(() => null, (e) => e);
    expect(err.fields.map((f: { message: string }) => f.message)).toEqual([
      'row 2, po_number: Purchase order PO-D1 already exists',
      'row 3, amounts: must be exclusive, inclusive, no_tax (got "gross")',
      'row 3, order_date: 2026-13-45 is not a date like 2026-11-25',
      'row 3, location: Unknown location NOWHERE',
      'row 4, tax_rate: must be a percentage from 0 to 100',
    ]);
    expect(await purchasingRowCounts(actor)).toEqual(before);
  });

  it('refuses a CSV with an unknown or a missing column before reading any row', async () => {
    const actor = await givenBuyer();
    const unknown = await importPurchaseOrdersCsv(t.db, actor, 'po_number,supplier,sku,quantity,unit_price,colour\nP1,A,BRG-1,1,1,red').then(() => null, (e) => e);
    expect(unknown.fields).toEqual([{ field: 'csv', message: expect.stringMatching(/^Unknown column\(s\): colour; the columns are po_number, supplier/) }]);
    const missing = await importPurchaseOrdersCsv(t.db, actor, 'po_number,supplier,sku,quantity\nP1,A,BRG-1,1').then(() => null, (e) => e);
    expect(missing.fields).toEqual([{ field: 'csv', message: expect.stringMatching(/^Missing column\(s\): unit_price;/) }]);
    expect(await purchasingRowCounts(actor)).toEqual({ purchase_orders: 0, purchase_order_lines: 0, suppliers: 0 });
  });

  it('imports once for one idempotency key: a repeat replays the first report', async () => {
    const actor = await givenBuyer();
    const text = csv('PO-I1,Acme,2026-11-20,,,,,MAIN,BRG-1,,20,,,1,,');
    const claim = { key: 'import-1', requestHash: 'h1' };
    const first = await importPurchaseOrdersCsv(t.db, actor, text, claim);
    const again = await importPurchaseOrdersCsv(t.db, actor, text, claim);
    expect(again).toEqual(first);
    expect(await purchasingRowCounts(actor)).toEqual({ purchase_orders: 1, purchase_order_lines: 1, suppliers: 1 });
  });
});
