import { Db, Trx } from '../../db';
import { insertPart, createLocation } from '../catalogue';
import { inTransaction } from '../transaction';
import { Actor } from '../stock/types';
import { BAY, SUPPLIERS } from './catalogue';
import { planDemo, partInput } from './plan';
import { postDemoActivity } from './activity';
import { createDemoPurchaseOrders } from './purchasing';
import { createDemoManufacturing } from './manufacturing';

/*
 * The demo company: a small maker of centrifugal pumps, booster sets and screw compressors.
 * About 160 parts (bearings, seals, fasteners, motors, castings, electronics, cable, paint, steel,
 * sub-assemblies and finished products), opening stock in two locations, and a few receipts, an
 * issue, a transfer and an adjustment so every page has something to show; then five purchase
 * orders from four suppliers (one in EUR, two part-received through goods-in, one draft; see
 * ./purchasing.ts); then multi-level BOMs for two products and three released job cards, one
 * short (see ./manufacturing.ts). Everything comes from a seeded generator or fixed data, so two runs with the
 * same `today` (on the same calendar day: goods-in dates deliveries by the clock) give the same
 * catalogue, stock, purchase orders and values.
 */

export async function loadDemoCompany(
  db: Db,
  actor: Actor,
  today: string = new Date().toISOString().slice(0, 10),
): Promise<{ parts: number; locations: number; stockLines: number; purchaseOrders: number }> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error(`today must be YYYY-MM-DD, not ${today}`);
  const plan = planDemo(today);
  const tenantId = actor.tenantId;

  const { parts, purchaseOrders } = await inTransaction(db, async (trx) => {
    await createLocation(trx, tenantId, { code: BAY, name: 'Assembly bay', warehouse: 'Main' });
    for (const p of plan.planned) {
      await insertPart(trx, tenantId, partInput(p));
    }
    await insertSuppliers(trx, tenantId);
    // Postings run inside this transaction (as savepoints), so the whole demo lands or none of it.
    await postDemoActivity(trx as unknown as Db, actor, plan, today);
    // Open purchase orders last, through purchasing and goods-in, so their flags see the demo's stock.
    const purchaseOrders = await createDemoPurchaseOrders(trx as unknown as Db, actor, plan, today);
    // BOMs and released jobs last: their allocations take from the stock the demo ends with.
    await createDemoManufacturing(trx as unknown as Db, actor, today);
    return { parts: plan.planned.length, purchaseOrders };
  });

  // Fresh statistics after a bulk load, so the planner does not treat these tables as empty
  // (PGlite has no autovacuum to do it; without them a valuation query can take seconds).
  await db.raw('analyze parts, locations, stock_balances, cost_layers, stock_movements, serials, purchase_orders, purchase_order_lines, deliveries, receipt_lines, bom_lines, job_cards, job_lines, job_allocations');

  const [{ n: locations }] = await db('locations').where({ tenant_id: tenantId }).count({ n: '*' });
  const [{ n: stockLines }] = await db('stock_balances').where({ tenant_id: tenantId }).where('on_hand', '>', 0).count({ n: '*' });
  return { parts, locations: Number(locations), stockLines: Number(stockLines), purchaseOrders };
}

/**
 * Suppliers, with their currency (the demo's POs would create them anyway, but these include
 * some with nothing on order). Only columns the table has are filled (today name and currency);
 * if it wants something this does not know, the POs create their own suppliers by name.
 */
async function insertSuppliers(trx: Trx, tenantId: string): Promise<void> {
  if (!(await trx.schema.hasTable('suppliers'))) return;
  const columns = new Set(Object.keys(await trx('suppliers').columnInfo()));
  if (!columns.has('tenant_id') || !columns.has('name')) return;
  const candidates = (s: (typeof SUPPLIERS)[number]): Record<string, unknown> => ({
    tenant_id: tenantId,
    name: s.name,
    code: s.code,
    email: s.email,
    phone: s.phone,
    currency: s.currency ?? 'GBP',
    lead_time_days: s.lead,
  });
  const rows = SUPPLIERS.map((s) => Object.fromEntries(Object.entries(candidates(s)).filter(([k]) => columns.has(k))));
  try {
    await trx.transaction((sp) => sp('suppliers').insert(rows));
  } catch {
    // A savepoint rolled back: the rest of the demo is unaffected.
  }
}
