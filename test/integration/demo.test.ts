import { openTestDb, TestDb } from '../support/db';
import { createOrganisation } from '../../server/services/auth/accounts';
import { loadDemoCompany } from '../../server/services/demo';
import { reconciliation, valuation } from '../../server/services/valuation';
import { dec } from '../../server/domain/decimal';
import { Actor } from '../../server/services/stock/types';
import { Db } from '../../server/db';
import { listPurchaseOrders, purchaseOrderView } from '../../server/services/purchasing/views';
import { PurchaseOrderView } from '../../server/services/purchasing/types';
import { DEMO_EUR_RATE } from '../../server/services/demo/purchasing';
import { listJobs, jobView } from '../../server/services/jobs/views';
import { DEMO_BOMS } from '../../server/services/demo/manufacturing';


let t: TestDb;
beforeAll(async () => { t = await openTestDb(); });
afterAll(async () => { await t.close(); });

let n = 0;
async function newOrganisation(): Promise<Actor> {
  n += 1;
  const user = await createOrganisation(t.db, { organisation: `Demo Pumps ${n}`, name: 'Demo Admin', email: `demo-${n}@perpetua.test`, password: 'demo-password' });
  return { tenantId: user.tenantId, userId: user.userId, role: 'admin' };
}

const countWhere = async (db: Db, table: string, where: Record<string, unknown>) => Number((await db(table).where(where).count({ n: '*' }))[0].n);

describe('the demo company', () => {
  let actor: Actor;
  let counts: Awaited<ReturnType<typeof loadDemoCompany>>;
  beforeAll(async () => {
    actor = await newOrganisation();
    counts = await loadDemoCompany(t.db, actor);
  });

  it('fills a catalogue of realistic parts', async () => {
    const tenant_id = actor.tenantId;
    expect(counts.parts).toBeGreaterThanOrEqual(140);
    expect(await countWhere(t.db, 'parts', { tenant_id })).toBe(counts.parts);
    expect(await countWhere(t.db, 'parts', { tenant_id, tracking: 'lot' })).toBeGreaterThan(5);
    expect(await countWhere(t.db, 'parts', { tenant_id, tracking: 'serial' })).toBeGreaterThan(5);
    expect(await countWhere(t.db, 'parts', { tenant_id, source: 'made' })).toBeGreaterThan(5);
    expect(await countWhere(t.db, 'parts', { tenant_id, fractional: true })).toBeGreaterThan(5);
    const withBarcode = Number((await t.db('parts').where({ tenant_id }).whereNotNull('barcode').count({ n: '*' }))[0].n);
    expect(withBarcode).toBeGreaterThan(counts.parts / 2);
    const units = (await t.db('parts').where({ tenant_id }).distinct('unit')).map((r) => r.unit).sort();
    expect(units).toEqual(['box', 'each', 'kg', 'l', 'm']);
  });

  it('holds stock in both locations, with serials and lots', async () => {
    const tenant_id = actor.tenantId;
    expect(counts.locations).toBeGreaterThanOrEqual(2);
    const byLocation = await t.db('stock_balances as b')
      .join('locations as l', (j) => j.on('l.id', 'b.location_id').andOn('l.tenant_id', 'b.tenant_id'))
      .where({ 'b.tenant_id': tenant_id }).where('b.on_hand', '>', 0)
      .groupBy('l.code').select('l.code', t.db.raw('count(*) as n'));
    const lines = Object.fromEntries(byLocation.map((r) => [r.code, Number(r.n)]));
    expect(lines.MAIN).toBeGreaterThan(100);
    expect(lines['WIP-BAY']).toBeGreaterThan(10);
    expect(counts.stockLines).toBe(lines.MAIN + lines['WIP-BAY']);
    expect(await countWhere(t.db, 'serials', { tenant_id, status: 'in_stock' })).toBeGreaterThan(20);
    expect(Number((await t.db('stock_balances').where({ tenant_id }).where('lot', '<>', '').where('on_hand', '>', 0).count({ n: '*' }))[0].n)).toBeGreaterThan(5);
  });

  it('has every kind of event, FIFO layers at different costs, and reconciles', async () => {
    const kinds = (await t.db('stock_events').where({ tenant_id: actor.tenantId }).distinct('kind')).map((r) => r.kind).sort();
    expect(kinds).toEqual(['adjustment', 'issue', 'job_consumption', 'opening_balance', 'receipt', 'transfer']);
    const layerCosts = await t.db('cost_layers as c')
      .join('parts as p', (j) => j.on('p.id', 'c.part_id').andOn('p.tenant_id', 'c.tenant_id'))
      .where({ 'c.tenant_id': actor.tenantId, 'p.sku': 'BRG-6205-2RS' }).where('c.remaining_qty', '>', 0)
      .distinct('c.unit_cost');
    expect(layerCosts.length).toBeGreaterThanOrEqual(2);

    const r = await reconciliation(t.db, actor.tenantId);
    expect(r.accounts.filter((a) => !a.reconciled)).toEqual([]);
    expect(r.reconciled).toBe(true);
    const v = await valuation(t.db, actor.tenantId);
    expect(dec(v.total).gt(0)).toBe(true);
    expect(v.lines.some((l) => l.location === 'WIP-BAY')).toBe(true);
  });

  describe('purchase orders', () => {
    let pos: Map<string, PurchaseOrderView>;
    beforeAll(async () => {
      const all = await listPurchaseOrders(t.db, actor.tenantId, { status: 'all' });
      pos = new Map();
      for (const s of all) pos.set(s.number, await purchaseOrderView(t.db, actor.tenantId, s.id));
    });
    const po = (number: string) => pos.get(number)!;
    const lineOf = (number: string, sku: string) => po(number).lines.find((l) => l.part === sku)!;

    it('has four open POs from four suppliers and a draft, listed for goods-in', async () => {
      expect(counts.purchaseOrders).toBe(5);
      const byStatus = await t.db('purchase_orders').where({ tenant_id: actor.tenantId }).groupBy('status').select('status', t.db.raw('count(*)::int as n'));
      expect(Object.fromEntries(byStatus.map((r) => [r.status, r.n]))).toEqual({ open: 4, draft: 1 });
      const open = [...pos.values()].filter((p) => p.status === 'open');
      expect(new Set(open.map((p) => p.supplier.name)).size).toBe(4);
      expect(open.every((p) => p.location === 'MAIN' && p.open_delivery === null)).toBe(true);
      const receivable = await listPurchaseOrders(t.db, actor.tenantId);
      expect(receivable.map((p) => p.number).sort()).toEqual(['PO-10452', 'PO-10453', 'PO-10454', 'PO-10455']);
      expect(receivable.every((p) => p.outstanding_lines > 0)).toBe(true);
      expect(po('PO-10456').status).toBe('draft');
    });

    it('has a part-received PO: one finished delivery, two lines still outstanding', async () => {
      const p = po('PO-10452');
      expect(p.status).toBe('open');
      expect(p.lines.map((l) => [l.part, l.ordered, l.received, l.outstanding])).toEqual([
        ['BRG-6204-2RS', '40', '40', '0'],
        ['BRG-6207-2RS', '30', '18', '12'],
        ['BRG-NU208', '20', '0', '20'],
        ['BRG-6306-2RS', '24', '24', '0'],
      ]);
      const deliveries = await t.db('deliveries').where({ tenant_id: actor.tenantId, po_id: p.id }).select('status', 'delivery_note');
      expect(deliveries).toEqual([{ status: 'completed', delivery_note: 'TBS advice 88213' }]);
      expect(await countWhere(t.db, 'receipt_lines', { tenant_id: actor.tenantId, outcome: 'accepted' })).toBe(5);
      // Received at the PO's price, not the opening stock's.
      const layer = await t.db('cost_layers as c').join('parts as pt', (j) => j.on('pt.id', 'c.part_id').andOn('pt.tenant_id', 'c.tenant_id'))
        .where({ 'c.tenant_id': actor.tenantId, 'pt.sku': 'BRG-6204-2RS' }).first('c.unit_cost', 'c.remaining_qty');
      expect([dec(layer.unit_cost).toFixed(), dec(layer.remaining_qty).toFixed()]).toEqual(['2.95', '40']);
    });

    it('buys motors and drives in EUR, serial-tracked, part-received with their serials in stock', async () => {
      const p = po('PO-10453');
      expect([p.status, p.currency, p.currency_rate, p.supplier.name]).toEqual(['open', 'EUR', DEMO_EUR_RATE, 'Hessler Antriebstechnik GmbH']);
      expect(p.lines.every((l) => l.tracking === 'serial')).toBe(true);
      const motors = lineOf('PO-10453', 'MTR-IE3-1.5-4P');
      expect([motors.ordered, motors.received, motors.outstanding]).toEqual(['4', '2', '2']);
      // EUR 228.00 at 1.1535 EUR to the pound, in pounds per motor.
      expect(motors.unit_cost).toBe(dec('228').div(DEMO_EUR_RATE).toDecimalPlaces(10).toFixed());
      expect(lineOf('PO-10453', 'VFD-5.5').outstanding).toBe('2');
      expect(lineOf('PO-10453', 'MTR-IE3-7.5-2P').received).toBe('0');
      const serials = (await t.db('serials as s').join('parts as pt', (j) => j.on('pt.id', 's.part_id').andOn('pt.tenant_id', 's.tenant_id'))
        .where({ 's.tenant_id': actor.tenantId, 's.status': 'in_stock' }).whereIn('pt.sku', ['MTR-IE3-1.5-4P', 'VFD-5.5']).orderBy('s.serial').select('s.serial')).map((r) => r.serial);
      const yy = new Date().toISOString().slice(2, 4);
      expect(serials).toEqual([`MTR-${yy}-0024`, `MTR-${yy}-0025`, `VFD-${yy}-0005`]);
    });

    it('buys terminal blocks in boxes of 100', async () => {
      const l = lineOf('PO-10454', 'ELC-TB-DIN-4');
      expect([l.quantity, l.purchase_unit, l.units_per_purchase_unit, l.unit, l.ordered, l.unit_price, l.unit_cost, l.tax_rate])
        .toEqual(['5', 'box', '100', 'each', '500', '36.5', '0.365', '20']);
      expect(po('PO-10454').lines.every((x) => x.received === '0')).toBe(true);
    });

    it('flags exactly one line for buying less: steel sheet with over 900 kg on the shelf', async () => {
      const flagged = [...pos.values()].flatMap((p) => p.lines.filter((l) => l.flag).map((l) => [p.number, l.part]));
      expect(flagged).toEqual([['PO-10455', 'STL-S275-3']]);
      const l = lineOf('PO-10455', 'STL-S275-3');
      expect(l.flag).toEqual({ free_stock: '924', value: '297.50' });
      expect(po('PO-10455').flagged_value).toBe('297.50');
      expect(po('PO-10455').expected_date! < new Date().toISOString().slice(0, 10)).toBe(true); // overdue
    });

    it('posts goods-in receipts to GRNI and still reconciles', async () => {
      const grni = await t.db('stock_events').where({ tenant_id: actor.tenantId, kind: 'receipt', contra_role: 'grni' }).whereIn('reference', ['PO-10452', 'PO-10453']).count({ n: '*' });
      expect(Number(grni[0].n)).toBe(5);
      const r = await reconciliation(t.db, actor.tenantId);
      expect(r.reconciled).toBe(true);
    });
  });

  describe('manufacturing', () => {
    it('has BOMs three levels deep for two products', async () => {
      const boms = await t.db('bom_lines as b').join('parts as p', (j) => j.on('p.id', 'b.parent_part_id').andOn('p.tenant_id', 'b.tenant_id'))
        .where('b.tenant_id', actor.tenantId).distinct('p.sku');
      expect(boms.map((b) => b.sku).sort()).toEqual(DEMO_BOMS.map(([sku]) => sku).sort());
    });

    it('has three released jobs: pumps in progress with WIP, a booster set, and a booster-set order short of pumps', async () => {
      const jobs = await listJobs(t.db, actor.tenantId);
      expect(jobs.map((j) => [j.part, j.quantity])).toEqual([['CP-50-160-2.2', '2'], ['BS-TWIN-2.2', '1'], ['BS-TWIN-2.2', '4']]);
      const pumps = await jobView(t.db, actor.tenantId, jobs[0].id);
      expect(pumps.status).toBe('in_progress');
      expect(dec(pumps.costs.wip).gt(0)).toBe(true);
      const short = await jobView(t.db, actor.tenantId, jobs[2].id);
      expect(short.lines.find((l) => l.part === 'CP-50-160-2.2')).toMatchObject({ required: '8', made: true });
      expect(dec(short.lines.find((l) => l.part === 'CP-50-160-2.2')!.short).gt(0)).toBe(true);
      expect((await reconciliation(t.db, actor.tenantId)).reconciled).toBe(true);
    });
  });

  it('is reproducible: the same day gives the same catalogue, stock and values', async () => {
    const snapshot = async (a: Actor) => {
      const stock = await t.db('stock_movements as m')
        .join('parts as p', (j) => j.on('p.id', 'm.part_id').andOn('p.tenant_id', 'm.tenant_id'))
        .join('locations as l', (j) => j.on('l.id', 'm.location_id').andOn('l.tenant_id', 'm.tenant_id'))
        .where({ 'm.tenant_id': a.tenantId }).orderBy('m.seq')
        .select('p.sku', 'p.barcode', 'l.code', 'm.lot', 'm.serial', 'm.quantity', 'm.unit_cost', 'm.value', t.db.raw("to_char(m.occurred_on, 'YYYY-MM-DD') as occurred_on"));
      const purchaseOrders = await Promise.all((await listPurchaseOrders(t.db, a.tenantId, { status: 'all' })).map(async (s) => {
        const { id: _id, supplier, lines, open_delivery: _d, ...rest } = await purchaseOrderView(t.db, a.tenantId, s.id);
        return { ...rest, supplier: supplier.name, lines: lines.map(({ id: _l, part_id: _p, ...l }) => l) };
      }));
      return { stock, purchaseOrders, total: (await valuation(t.db, a.tenantId)).total };
    };
    const a = await newOrganisation();
    const b = await newOrganisation();
    await loadDemoCompany(t.db, a, '2026-11-18');
    await loadDemoCompany(t.db, b, '2026-11-18');
    const [sa, sb] = [await snapshot(a), await snapshot(b)];
    expect(sa.stock.length).toBeGreaterThan(200);
    expect(sb).toEqual(sa);
    expect(sa.stock[0].occurred_on).toBe('2026-11-01');
    expect(sa.stock.some((m) => m.serial === 'MTR-26-0001')).toBe(true);
    // Purchase orders are part of the fingerprint (added with them: their receipts add movements too).
    expect(sa.purchaseOrders.map((p) => `${p.number} ${p.status} ${p.currency}`).sort())
      .toEqual(['PO-10452 open GBP', 'PO-10453 open EUR', 'PO-10454 open GBP', 'PO-10455 open GBP', 'PO-10456 draft GBP']);
    expect(sa.purchaseOrders.find((p) => p.number === 'PO-10453')!.order_date).toBe('2026-10-29');
  });
});
