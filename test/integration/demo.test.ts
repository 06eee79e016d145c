import { openTestDb, TestDb } from '../support/db';
import { createOrganisation } from '../../server/services/auth/accounts';
import { loadDemoCompany } from '../../server/services/demo';
import { reconciliation, valuation } from '../../server/services/valuation';
import { dec } from '../../server/domain/decimal';
import { Actor } from '../../server/services/stock/types';
import { Db } from '../../server/db';


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
  let counts: { parts: number; locations: number; stockLines: number };
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
    expect(kinds).toEqual(['adjustment', 'issue', 'opening_balance', 'receipt', 'transfer']);
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

  it('is reproducible: the same day gives the same catalogue, stock and values', async () => {
    const snapshot = async (a: Actor) => {
      const stock = await t.db('stock_movements as m')
        .join('parts as p', (j) => j.on('p.id', 'm.part_id').andOn('p.tenant_id', 'm.tenant_id'))
        .join('locations as l', (j) => j.on('l.id', 'm.location_id').andOn('l.tenant_id', 'm.tenant_id'))
        .where({ 'm.tenant_id': a.tenantId }).orderBy('m.seq')
        .select('p.sku', 'p.barcode', 'l.code', 'm.lot', 'm.serial', 'm.quantity', 'm.unit_cost', 'm.value', t.db.raw("to_char(m.occurred_on, 'YYYY-MM-DD') as occurred_on"));
      return { stock, total: (await valuation(t.db, a.tenantId)).total };
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
  });
});
