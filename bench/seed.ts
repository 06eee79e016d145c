import crypto from 'node:crypto';
import { Db } from '../server/db';
import { Decimal } from '../server/domain/decimal';
import { createOrganisation, createApiKey } from '../server/services/auth/accounts';
import { createLocation, createPart } from '../server/services/catalogue';
import { postStockEvent } from '../server/services/stock/post-event';
import { Actor, StockCommand } from '../server/services/stock/types';
import { createPurchaseOrder } from '../server/services/purchasing/create-po';
import { PoLineInput } from '../server/services/purchasing/types';

export type Workload = { actor: Actor; skus: string[]; apiKey: string };

/**
 * A FIFO organisation (the default method) with `parts` parts, each holding opening stock at MAIN
 * in two layers: `openingQty` at 10.00 and `openingQty` at 12.50 (two opening-balance events).
 */
export async function seedWorkload(db: Db, label: string, parts: number, openingQty: number): Promise<Workload> {
  const tag = crypto.randomBytes(3).toString('hex');
  const user = await createOrganisation(db, { organisation: `Bench ${label} ${tag}`, name: 'Bench Admin', email: `bench-${label}-${tag}@example.com`, password: 'bench password bench password' });
  const actor: Actor = { tenantId: user.tenantId, userId: user.userId, role: 'admin' };
  const skus = Array.from({ length: parts }, (_, i) => `${label.toUpperCase()}-${String(i + 1).padStart(5, '0')}`);
  for (let i = 0; i < skus.length; i += 8) {
    await Promise.all(skus.slice(i, i + 8).map((sku) => createPart(db, actor.tenantId, { sku, name: `Bench part ${sku}` })));
  }
  for (const cost of ['10.00', '12.50']) {
    const cmd: StockCommand = {
      kind: 'opening_balance',
      occurredOn: '2026-01-01',
      reference: `opening @ ${cost}`,
      lines: skus.map((part) => ({ part, location: 'MAIN', quantity: new Decimal(openingQty), unitCost: new Decimal(cost) })),
    };
    await postStockEvent(db, actor, cmd);
  }
  const { key } = await createApiKey(db, actor.tenantId, actor.userId ?? null, 'bench', 'admin');
  return { actor, skus, apiKey: key };
}

export type GoodsInWorkload = Workload & { email: string; password: string; poId: string; poNumber: string; lineIds: string[]; lineQty: string[] };

/**
 * Goods-in: an organisation (its own, so its ledger is small) with `lines` parts, half of them
 * holding a little stock, and one open PO with a line for each part, created through the service.
 * Every tenth line is bought in boxes of 100; a few lines have plenty of stock, so the
 * buying-less check flags them. `lineQty` is what to verify per line (the full line, in purchase units).
 */
export async function seedGoodsIn(db: Db, lines: number): Promise<GoodsInWorkload> {
  const tag = crypto.randomBytes(3).toString('hex');
  const email = `bench-gin-${tag}@example.com`;
  const password = 'bench password bench password';
  const user = await createOrganisation(db, { organisation: `Bench goods-in ${tag}`, name: 'Bench Admin', email, password });
  const actor: Actor = { tenantId: user.tenantId, userId: user.userId, role: 'admin' };
  const skus = Array.from({ length: lines }, (_, i) => `GIN-${String(i + 1).padStart(5, '0')}`);
  for (let i = 0; i < skus.length; i += 8) {
    await Promise.all(skus.slice(i, i + 8).map((sku) => createPart(db, actor.tenantId, { sku, name: `Goods-in part ${sku}` })));
  }
  await postStockEvent(db, actor, {
    kind: 'opening_balance', occurredOn: '2026-01-01', reference: 'opening',
    lines: skus.filter((_, i) => i % 2 === 0).map((part, i) => ({ part, location: 'MAIN', quantity: new Decimal(i % 10 === 0 ? 500 : 3), unitCost: new Decimal('4.20') })),
  });
  const poLines: PoLineInput[] = skus.map((part, i) =>
    i % 10 === 9
      ? { part, quantity: new Decimal(2), purchaseUnit: 'box', unitsPerPurchaseUnit: new Decimal(100), unitPrice: new Decimal('38.00'), taxRate: new Decimal(20) }
      : { part, quantity: new Decimal(12), unitPrice: new Decimal((4 + (i % 7) * 0.25).toFixed(2)), taxRate: new Decimal(20) });
  const { body: po } = await createPurchaseOrder(db, actor, { supplier: 'Bench Supplies Ltd', location: 'MAIN', reference: `${lines}-line bench PO`, lines: poLines });
  const { key } = await createApiKey(db, actor.tenantId, actor.userId ?? null, 'bench goods-in', 'admin');
  return { actor, skus, apiKey: key, email, password, poId: po.id, poNumber: po.number, lineIds: po.lines.map((l) => l.id), lineQty: po.lines.map((l) => l.quantity) };
}

export type BulkShape = { parts: number; movements: number; movementsPerEvent: number; days: number; startDate: string };

/**
 * A large ledger written straight in SQL (generate_series), for the as-at valuation:
 * `parts` parts with their part_valuations rows, `movements` movements spread over 2 locations and
 * `days` days, grouped `movementsPerEvent` to an event. Movement n is the k-th (k = n / parts) of
 * part n % parts, dated in k order, alternately +10 (receipt) and -7 (issue), so no balance goes
 * negative and each part holds stock on every date. cost_layers and stock_balances stay empty:
 * as-at valuation reads movements only.
 */
export async function bulkLoad(db: Db, shape: BulkShape, parallel = 2): Promise<{ tenantId: string; timings: [string, number][]; fkChecks: 'on' | 'skipped, verified after' }> {
  const tag = crypto.randomBytes(3).toString('hex');
  const user = await createOrganisation(db, { organisation: `Bench bulk ${tag}`, name: 'Bench Admin', email: `bench-bulk-${tag}@example.com`, password: 'bench password bench password' });
  const tenantId = user.tenantId;
  await createLocation(db, tenantId, { code: 'B', name: 'Bay B', warehouse: 'Main' });
  const locs: { id: string; code: string }[] = await db('locations').where({ tenant_id: tenantId }).orderBy('code').select('id', 'code');
  const [locA, locB] = locs.map((l) => l.id);
  const perPart = Math.ceil(shape.movements / shape.parts);
  // A superuser may skip the per-row foreign-key triggers (session_replication_role = replica);
  // the references are then checked in one pass after the load, so the data still satisfies them.
  const superuser = !!(await db.raw('select rolsuper from pg_roles where rolname = current_user')).rows[0]?.rolsuper;
  const timings: [string, number][] = [];
  const run = async (sql: string, bindings: unknown[]) =>
    db.transaction(async (trx) => {
      if (superuser) await trx.raw('set local session_replication_role = replica');
      await trx.raw(sql, bindings as never);
    });
  const step = async (label: string, work: () => Promise<unknown>) => {
    const t0 = performance.now();
    await work();
    timings.push([label, performance.now() - t0]);
  };
  // Ids derive from the tenant and an ordinal (md5 -> uuid), so events and movements can refer to them.
  await step('parts', () => run(`
    insert into parts (tenant_id, id, sku, name, stock_role)
    select ?::uuid, md5(?::text || ':p:' || i)::uuid, 'BULK-' || lpad(i::text, 6, '0'), 'Bulk part ' || i,
           case when i % 5 = 0 then 'finished_goods' else 'raw_materials' end
      from generate_series(0, ? - 1) i`, [tenantId, tenantId, shape.parts]));
  await db.raw('analyze parts');
  await step('part_valuations', () => run(`
    insert into part_valuations (tenant_id, part_id)
    select ?::uuid, md5(?::text || ':p:' || i)::uuid from generate_series(0, ? - 1) i`, [tenantId, tenantId, shape.parts]));
  // Event e covers movements e*M .. e*M+M-1; they share k (hence the date) while parts % M = 0.
  const events = Math.ceil(shape.movements / shape.movementsPerEvent);
  await step('stock_events', () => run(`
    insert into stock_events (tenant_id, id, kind, occurred_on, reference, contra_role)
    select ?::uuid, md5(?::text || ':e:' || e)::uuid,
           case when k % 2 = 0 then 'receipt' else 'issue' end,
           ?::date + (k * ? / ?)::int,
           'BULK-' || e,
           case when k % 2 = 0 then 'grni' else 'cogs' end
      from generate_series(0, ? - 1) e, lateral (select (e * ?) / ? as k) kk`,
  [tenantId, tenantId, shape.startDate, shape.days, perPart, events, shape.movementsPerEvent, shape.parts]));
  await db.raw('analyze stock_events');
  // Movements in `parallel` contiguous chunks on separate connections (PostgreSQL does the work).
  const chunk = Math.ceil(shape.movements / parallel);
  await step('stock_movements', () => Promise.all(Array.from({ length: parallel }, (_, c) => {
    const lo = c * chunk;
    const hi = Math.min(shape.movements, lo + chunk);
    return run(`
    insert into stock_movements (tenant_id, event_id, part_id, location_id, quantity, unit_cost, value, occurred_on)
    select ?::uuid, md5(?::text || ':e:' || (n / ?))::uuid, md5(?::text || ':p:' || p)::uuid,
           case when p % 2 = 0 then ?::uuid else ?::uuid end,
           q, c, q * c, ?::date + (k * ? / ?)::int
      from generate_series(?::int, ?::int - 1) n,
           lateral (select n % ? as p, n / ? as k) pk,
           lateral (select case when k % 2 = 0 then 10 else -7 end::numeric as q, (5 + (p % 100) * 0.25 + (k % 7) * 0.01)::numeric as c) qc`,
    [tenantId, tenantId, shape.movementsPerEvent, tenantId, locA, locB, shape.startDate, shape.days, perPart, lo, hi, shape.parts, shape.parts]);
  })));
  await step('analyze', () => db.raw('analyze parts; analyze part_valuations; analyze stock_events; analyze stock_movements; analyze locations'));
  if (superuser) {
    await step('verify references', async () => {
      const r = await db.raw(`
        select (select count(*) from part_valuations v where v.tenant_id = ?::uuid and not exists (select 1 from parts p where p.tenant_id = v.tenant_id and p.id = v.part_id))
             + (select count(*) from stock_movements m where m.tenant_id = ?::uuid and (
                  not exists (select 1 from stock_events e where e.tenant_id = m.tenant_id and e.id = m.event_id)
               or not exists (select 1 from parts p where p.tenant_id = m.tenant_id and p.id = m.part_id)
               or not exists (select 1 from locations l where l.tenant_id = m.tenant_id and l.id = m.location_id))) as orphans`, [tenantId, tenantId]);
      const orphans = Number(r.rows[0].orphans);
      if (orphans) throw new Error(`bulk load left ${orphans} rows whose references do not exist`);
    });
  }
  return { tenantId, timings, fkChecks: superuser ? 'skipped, verified after' : 'on' };
}
