import { Db, Trx } from '../../db';
import { Decimal, str, money } from '../../domain/decimal';
import { isUuid } from '../../domain/ids';
import { NotFound } from '../../errors';
import { moneyPlaces } from '../../repos/tenants';
import { journalForEvent } from '../../repos/journals';
import { JournalView } from '../stock/types';

type Q = Db | Trx;

export type SupplierReturnView = {
  id: string; number: number; receipt_line_id: string; delivery_id: string; po_id: string; po_number: string; supplier: string;
  part: string; unit: string; lot: string | null; serials: string[]; quantity: string; unbilled_qty: string; billed_qty: string;
  value: string; credit_expected: string; reason: string; occurred_on: string; event_id: string; journal: JournalView | null;
  undone: boolean; recorded_at: string;
};

function query(q: Q, tenantId: string) {
  return q('supplier_returns as sr')
    .join('receipt_lines as r', (j) => j.on('r.id', 'sr.receipt_line_id').andOn('r.tenant_id', 'sr.tenant_id'))
    .join('purchase_order_lines as pl', (j) => j.on('pl.id', 'r.po_line_id').andOn('pl.tenant_id', 'r.tenant_id'))
    .join('purchase_orders as o', (j) => j.on('o.id', 'pl.po_id').andOn('o.tenant_id', 'pl.tenant_id'))
    .join('suppliers as s', (j) => j.on('s.id', 'o.supplier_id').andOn('s.tenant_id', 'o.tenant_id'))
    .join('parts as p', (j) => j.on('p.id', 'pl.part_id').andOn('p.tenant_id', 'pl.tenant_id'))
    .join('stock_events as e', (j) => j.on('e.id', 'sr.event_id').andOn('e.tenant_id', 'sr.tenant_id'))
    .where('sr.tenant_id', tenantId)
    .select('sr.*', 'r.delivery_id', 'r.lot', 'o.id as po_id', 'o.number as po_number', 's.name as supplier', 'p.sku', 'p.unit', 'e.occurred_on');
}

function toView(r: Record<string, any>, dp: number, journal: JournalView | null): SupplierReturnView {
  const value = new Decimal(r.value);
  const qty = new Decimal(r.quantity);
  const billed = new Decimal(r.billed_qty);
  return {
    id: r.id, number: Number(r.number), receipt_line_id: r.receipt_line_id, delivery_id: r.delivery_id, po_id: r.po_id, po_number: r.po_number, supplier: r.supplier,
    part: r.sku, unit: r.unit, lot: r.lot || null, serials: typeof r.serials === 'string' ? JSON.parse(r.serials) : r.serials,
    quantity: str(qty), unbilled_qty: str(new Decimal(r.unbilled_qty)), billed_qty: str(billed), value: money(value, dp),
    credit_expected: money(new Decimal(r.credit_expected), dp),
    reason: r.reason, occurred_on: r.occurred_on, event_id: r.event_id, journal, undone: r.undone_at !== null, recorded_at: new Date(r.created_at).toISOString(),
  };
}

export async function supplierReturnView(q: Q, tenantId: string, id: string): Promise<SupplierReturnView> {
  if (!isUuid(id)) throw new NotFound('Supplier return', id);
  const row = await query(q, tenantId).where('sr.id', id).first();
  if (!row) throw new NotFound('Supplier return', id);
  return toView(row, await moneyPlaces(q, tenantId), await journalForEvent(q, tenantId, row.event_id));
}

/** Supplier returns, newest first (with their journals only when one is opened). */
export async function listSupplierReturns(q: Q, tenantId: string, opts: { receiptLine?: string } = {}): Promise<SupplierReturnView[]> {
  const dp = await moneyPlaces(q, tenantId);
  const rows = await query(q, tenantId).modify((b) => { if (opts.receiptLine) b.where('sr.receipt_line_id', opts.receiptLine); }).orderBy('sr.number', 'desc').limit(200);
  return rows.map((r: Record<string, any>) => toView(r, dp, null));
}
