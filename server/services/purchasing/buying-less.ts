import { Trx, Db } from '../../db';
import { Decimal, money, str, sum } from '../../domain/decimal';
import { moneyPlaces } from '../../repos/tenants';

type Q = Trx | Db;

/** A PO line that free stock already covered when it was ordered, with the money it ties up. */
export type FlaggedLine = {
  po_id: string;
  po_number: string;
  po_status: string;
  supplier: string;
  line_no: number;
  part: string; // SKU
  part_name: string;
  quantity: string; // stock units ordered
  outstanding: string; // stock units not yet received
  free_stock: string; // free stock when the line was ordered
  value: string; // the line's value in the base currency (money)
};

export type BuyingLessSummary = { total_value: string; lines: FlaggedLine[] };

/**
 * Flagged lines still waiting to arrive on POs that are being bought (open, or a draft awaiting
 * approval): the "tonnes on the shelf" a buyer can still stop. Largest value first.
 */
export async function buyingLessSummary(q: Q, tenantId: string): Promise<BuyingLessSummary> {
  const dp = await moneyPlaces(q, tenantId);
  const rows = await flaggedLineQuery(q, tenantId)
    .whereIn('o.status', ['open', 'draft'])
    .whereRaw('pl.received_qty < pl.ordered_qty')
    .orderBy([{ column: 'pl.flag_value', order: 'desc' }, { column: 'o.number' }, { column: 'pl.line_no' }]);
  const lines = rows.map((r) => toFlaggedLine(r, dp));
  return { total_value: money(sum(rows.map((r) => new Decimal(r.flag_value))), dp), lines };
}

/** The flagged lines of some POs (an import's report), in PO and line order. */
export async function flaggedLinesOf(q: Q, tenantId: string, poIds: string[]): Promise<FlaggedLine[]> {
  if (!poIds.length) return [];
  const dp = await moneyPlaces(q, tenantId);
  const rows = await flaggedLineQuery(q, tenantId).whereIn('pl.po_id', poIds).orderBy([{ column: 'o.number' }, { column: 'pl.line_no' }]);
  return rows.map((r) => toFlaggedLine(r, dp));
}

function flaggedLineQuery(q: Q, tenantId: string) {
  return q('purchase_order_lines as pl')
    .join('purchase_orders as o', (j) => j.on('o.id', 'pl.po_id').andOn('o.tenant_id', 'pl.tenant_id'))
    .join('suppliers as s', (j) => j.on('s.id', 'o.supplier_id').andOn('s.tenant_id', 'o.tenant_id'))
    .join('parts as p', (j) => j.on('p.id', 'pl.part_id').andOn('p.tenant_id', 'pl.tenant_id'))
    .where('pl.tenant_id', tenantId)
    .whereNotNull('pl.flag_value')
    .select('pl.po_id', 'o.number as po_number', 'o.status as po_status', 's.name as supplier', 'pl.line_no', 'p.sku', 'p.name as part_name',
      'pl.ordered_qty', 'pl.received_qty', 'pl.flag_free_stock', 'pl.flag_value');
}

function toFlaggedLine(r: Record<string, any>, dp: number): FlaggedLine {
  const ordered = new Decimal(r.ordered_qty);
  const outstanding = Decimal.max(ordered.minus(new Decimal(r.received_qty)), 0);
  return {
    po_id: r.po_id,
    po_number: r.po_number,
    po_status: r.po_status,
    supplier: r.supplier,
    line_no: r.line_no,
    part: r.sku,
    part_name: r.part_name,
    quantity: str(ordered),
    outstanding: str(outstanding),
    free_stock: str(new Decimal(r.flag_free_stock)),
    value: money(new Decimal(r.flag_value), dp),
  };
}
