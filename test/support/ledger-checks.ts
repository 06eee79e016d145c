import { Db } from '../../server/db';
import { dec } from '../../server/domain/decimal';
import { reconciliation } from '../../server/services/valuation';
import { Actor, EventView, LineInput, TransferLineInput } from '../../server/services/stock/types';

/** Every stock account's journals equal the value held in its cost layers. */
export async function expectReconciled(db: Db, actor: Actor): Promise<void> {
  const r = await reconciliation(db, actor.tenantId);
  expect(r.accounts.filter((a) => !a.reconciled)).toEqual([]);
  expect(r.reconciled).toBe(true);
}

/** A stock line in the service's terms, from plain text numbers. */
export function line(part: string, location: string, quantity: string | number, unitCost?: string | number, extra: Partial<LineInput> = {}): LineInput {
  return { part, location, quantity: dec(quantity), ...(unitCost === undefined ? {} : { unitCost: dec(unitCost) }), ...extra };
}

export function move(part: string, from: string, to: string, quantity: string | number, extra: Partial<TransferLineInput> = {}): TransferLineInput {
  return { part, from, to, quantity: dec(quantity), ...extra };
}

/** Journal lines as a bookkeeper reads them. */
export function journalLines(view: EventView): { role: string; debit: string; credit: string }[] {
  return (view.journal?.lines ?? []).map((l) => ({ role: l.role, debit: l.debit, credit: l.credit }));
}

export async function onHand(db: Db, actor: Actor, sku: string, location = 'MAIN', lot = ''): Promise<string> {
  const row = await db('stock_balances as b')
    .join('parts as p', (j) => j.on('p.id', 'b.part_id').andOn('p.tenant_id', 'b.tenant_id'))
    .join('locations as l', (j) => j.on('l.id', 'b.location_id').andOn('l.tenant_id', 'b.tenant_id'))
    .where({ 'b.tenant_id': actor.tenantId, 'p.sku': sku, 'l.code': location, 'b.lot': lot })
    .first('b.on_hand');
  return row ? dec(row.on_hand).toFixed() : '0';
}

/** Open cost layers of a part at a location, oldest first, as [remaining qty, remaining value]. */
export async function openLayers(db: Db, actor: Actor, sku: string, location = 'MAIN'): Promise<[string, string][]> {
  const rows = await db('cost_layers as c')
    .join('parts as p', (j) => j.on('p.id', 'c.part_id').andOn('p.tenant_id', 'c.tenant_id'))
    .join('locations as l', (j) => j.on('l.id', 'c.location_id').andOn('l.tenant_id', 'c.tenant_id'))
    .where({ 'c.tenant_id': actor.tenantId, 'p.sku': sku, 'l.code': location })
    .where('c.remaining_qty', '>', 0)
    .orderBy('c.seq')
    .select('c.remaining_qty', 'c.remaining_value');
  return rows.map((r) => [dec(r.remaining_qty).toFixed(), dec(r.remaining_value).toFixed()]);
}

const LEDGER_TABLES = ['stock_events', 'stock_movements', 'cost_layers', 'layer_consumptions', 'stock_balances', 'part_valuations', 'serials', 'journals', 'journal_lines', 'outbox', 'idempotency_keys'];

/**
 * Everything the stock service writes for one organisation, row for row: two snapshots are
 * equal exactly when a refused command left the database as it found it.
 */
export async function ledgerSnapshot(db: Db, actor: Actor): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of LEDGER_TABLES) {
    const rows = await db(table).where({ tenant_id: actor.tenantId });
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

export async function countRows(db: Db, actor: Actor, table: string): Promise<number> {
  const [{ n }] = await db(table).where({ tenant_id: actor.tenantId }).count({ n: '*' });
  return Number(n);
}

/** Runs a command that must be refused, proves it changed nothing, and returns the error. */
export async function expectRefused(db: Db, actor: Actor, run: () => Promise<unknown>): Promise<any> {
  const before = await ledgerSnapshot(db, actor);
  const err = await run().then(() => null, (e) => e);
  expect(err).not.toBeNull();
  expect(await ledgerSnapshot(db, actor)).toEqual(before);
  return err;
}
