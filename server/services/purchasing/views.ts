import { Trx, Db } from '../../db';
import { isUuid } from '../../domain/ids';
import { Decimal, ZERO, str, money, sum } from '../../domain/decimal';
import { NotFound } from '../../errors';
import { journalView } from '../../repos/journals';
import { moneyPlaces } from '../../repos/tenants';
import { whereAnyContains } from '../../repos/text-search';
import { DeliveryView, DeliverySummary, PoLineView, PurchaseOrderProgress, PurchaseOrderSummary, PurchaseOrderView, PoStatus, ReceiptLineView } from './types';

type Q = Trx | Db;
const d = (v: unknown) => new Decimal(v as string);

/** A purchase order as goods-in, the API and the pages show it: lines with live figures and the open delivery. */
export async function purchaseOrderView(q: Q, tenantId: string, poId: string): Promise<PurchaseOrderView> {
  if (!isUuid(poId)) throw new NotFound('Purchase order', poId);
  const po = await q('purchase_orders as o')
    .join('suppliers as s', (j) => j.on('s.id', 'o.supplier_id').andOn('s.tenant_id', 'o.tenant_id'))
    .join('locations as l', (j) => j.on('l.id', 'o.location_id').andOn('l.tenant_id', 'o.tenant_id'))
    .where({ 'o.tenant_id': tenantId, 'o.id': poId })
    .first('o.*', 's.name as supplier_name', 'l.code as location_code');
  if (!po) throw new NotFound('Purchase order', poId);
  const dp = await moneyPlaces(q, tenantId);
  const lines = await poLines(q, tenantId, poId);
  const open = await q('deliveries').where({ tenant_id: tenantId, po_id: poId, status: 'open' }).first('id');
  return {
    id: po.id,
    number: po.number,
    supplier: { id: po.supplier_id, name: po.supplier_name },
    status: po.status,
    order_date: po.order_date,
    expected_date: po.expected_date,
    currency: po.currency,
    currency_rate: str(d(po.currency_rate)),
    amounts: po.amounts,
    location: po.location_code,
    reference: po.reference,
    lines,
    open_delivery: open ? await deliveryView(q, tenantId, open.id) : null,
    flagged_value: money(sum(lines.map((l) => (l.flag ? d(l.flag.value) : ZERO))), dp),
  };
}

/** A PO's lines with their live figures; or just one of them. */
async function poLines(q: Q, tenantId: string, poId: string, lineId?: string): Promise<PoLineView[]> {
  const dp = await moneyPlaces(q, tenantId);
  const rows = await q('purchase_order_lines as pl')
    .join('parts as p', (j) => j.on('p.id', 'pl.part_id').andOn('p.tenant_id', 'pl.tenant_id'))
    .where({ 'pl.tenant_id': tenantId, 'pl.po_id': poId, ...(lineId ? { 'pl.id': lineId } : {}) })
    .orderBy('pl.line_no')
    .select('pl.*', 'p.sku', 'p.name as part_name', 'p.barcode', 'p.tracking', 'p.fractional', 'p.unit');
  return rows.map((r) => lineView(r, dp));
}

/**
 * What one verification changed, for a client working line by line: the PO's status, the line's
 * figures and the open delivery, not the whole PO (a 200-line PO would come back on every tap).
 */
export async function purchaseOrderProgress(q: Q, tenantId: string, poId: string, lineId: string): Promise<PurchaseOrderProgress> {
  const po = await q('purchase_orders').where({ tenant_id: tenantId, id: poId }).first('id', 'number', 'status');
  const [{ n }] = await q('purchase_order_lines').where({ tenant_id: tenantId, po_id: poId }).whereRaw('received_qty < ordered_qty').count({ n: '*' });
  const open = await q('deliveries').where({ tenant_id: tenantId, po_id: poId, status: 'open' }).first('id');
  const [line] = await poLines(q, tenantId, poId, lineId);
  return { id: po.id, number: po.number, status: po.status, outstanding_lines: Number(n), line, open_delivery: open ? await deliverySummary(q, tenantId, open.id) : null };
}

function lineView(r: Record<string, any>, dp: number): PoLineView {
  const ordered = d(r.ordered_qty);
  const received = d(r.received_qty);
  return {
    id: r.id,
    line_no: r.line_no,
    part: r.sku,
    part_id: r.part_id,
    part_name: r.part_name,
    barcode: r.barcode,
    tracking: r.tracking,
    fractional: r.fractional,
    unit: r.unit,
    description: r.description,
    quantity: str(d(r.quantity)),
    purchase_unit: r.purchase_unit,
    units_per_purchase_unit: str(d(r.units_per_purchase_unit)),
    unit_price: str(d(r.unit_price)),
    tax_rate: str(d(r.tax_rate)),
    account_code: r.account_code,
    unit_cost: str(d(r.unit_cost)),
    ordered: str(ordered),
    received: str(received),
    rejected: str(d(r.rejected_qty)),
    billed: str(d(r.billed_qty)),
    outstanding: str(Decimal.max(ordered.minus(received), ZERO)),
    flag: r.flag_value === null ? null : { free_stock: str(d(r.flag_free_stock)), value: money(d(r.flag_value), dp) },
  };
}

export async function deliveryView(q: Q, tenantId: string, deliveryId: string): Promise<DeliveryView> {
  return { ...(await deliverySummary(q, tenantId, deliveryId)), lines: await receiptLineViews(q, tenantId, { delivery_id: deliveryId }) };
}

async function deliverySummary(q: Q, tenantId: string, deliveryId: string): Promise<DeliverySummary> {
  if (!isUuid(deliveryId)) throw new NotFound('Delivery', deliveryId);
  const dl = await q('deliveries as d')
    .join('purchase_orders as o', (j) => j.on('o.id', 'd.po_id').andOn('o.tenant_id', 'd.tenant_id'))
    .where({ 'd.tenant_id': tenantId, 'd.id': deliveryId }).first('d.*', 'o.number as po_number');
  if (!dl) throw new NotFound('Delivery', deliveryId);
  const journal = dl.journal_id ? await journalView(q, tenantId, await q('journals').where({ tenant_id: tenantId, id: dl.journal_id }).first()) : null;
  return {
    id: dl.id,
    number: Number(dl.number),
    po_id: dl.po_id,
    po_number: dl.po_number,
    status: dl.status,
    received_on: dl.received_on,
    delivery_note: dl.delivery_note,
    journal_per: dl.journal_per,
    journal,
  };
}

/** Verified lines, newest first: of one delivery, or (for returns) those matching `where`. */
export async function receiptLineViews(q: Q, tenantId: string, where: Record<string, unknown>): Promise<ReceiptLineView[]> {
  const dp = await moneyPlaces(q, tenantId);
  const rows = await q('receipt_lines as r')
    .join('purchase_order_lines as pl', (j) => j.on('pl.id', 'r.po_line_id').andOn('pl.tenant_id', 'r.tenant_id'))
    .join('parts as p', (j) => j.on('p.id', 'pl.part_id').andOn('p.tenant_id', 'pl.tenant_id'))
    .leftJoin('users as u', (j) => j.on('u.id', 'r.approved_by').andOn('u.tenant_id', 'r.tenant_id'))
    .where({ 'r.tenant_id': tenantId, ...Object.fromEntries(Object.entries(where).map(([k, v]) => [`r.${k}`, v])) })
    .orderBy('r.seq', 'desc')
    .select('r.*', 'p.sku', 'u.name as approver');
  return rows.map((r) => receiptLineView(r, dp));
}

export function receiptLineView(r: Record<string, any>, dp: number): ReceiptLineView {
  const qty = d(r.quantity);
  const serials = typeof r.serials === 'string' ? JSON.parse(r.serials) : r.serials;
  return {
    id: r.id,
    delivery_id: r.delivery_id,
    po_line_id: r.po_line_id,
    part: r.sku,
    outcome: r.outcome,
    quantity: str(qty),
    lot: r.lot || null,
    serials,
    reason: r.reason,
    unit_cost: str(d(r.unit_cost)),
    value: money(qty.mul(d(r.unit_cost)), dp),
    event_id: r.event_id,
    undone: r.undone_at !== null,
    undo_event_id: r.undo_event_id,
    approved_by: r.approver ?? null,
    returned: r.returned_at !== null,
    recorded_at: new Date(r.created_at).toISOString(),
  };
}

export type PoFilter = { status?: PoStatus | 'receivable' | 'all'; q?: string; limit?: number; ids?: string[] };

/** POs for goods-in and the PO list: receivable (open) by default, searchable by number or supplier. */
export async function listPurchaseOrders(q: Q, tenantId: string, f: PoFilter = {}): Promise<PurchaseOrderSummary[]> {
  const status = f.status ?? 'receivable';
  let query = q('purchase_orders as o')
    .join('suppliers as s', (j) => j.on('s.id', 'o.supplier_id').andOn('s.tenant_id', 'o.tenant_id'))
    .leftJoin(
      q('purchase_order_lines').where({ tenant_id: tenantId }).groupBy('po_id')
        .select('po_id', q.raw('count(*)::int as lines'), q.raw('sum(ordered_qty)::text as ordered'), q.raw('sum(received_qty)::text as received'),
          q.raw('count(*) filter (where received_qty < ordered_qty)::int as outstanding_lines')).as('t'),
      't.po_id', 'o.id',
    )
    .where('o.tenant_id', tenantId);
  if (f.ids) query = query.whereIn('o.id', f.ids);
  if (status === 'receivable') query = query.where('o.status', 'open');
  else if (status !== 'all') query = query.where('o.status', status);
  if (f.q?.trim()) query = whereAnyContains(query, ['o.number', 's.name'], f.q.trim());
  const rows = await query.orderBy([{ column: 'o.order_date', order: 'asc' }, { column: 'o.number', order: 'asc' }]).limit(f.limit ?? 200)
    .select('o.id', 'o.number', 's.name as supplier', 'o.status', 'o.order_date', 'o.expected_date', 'o.currency', 't.lines', 't.ordered', 't.received', 't.outstanding_lines');
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    supplier: r.supplier,
    status: r.status,
    order_date: r.order_date,
    expected_date: r.expected_date,
    currency: r.currency,
    lines: r.lines ?? 0,
    ordered: str(d(r.ordered ?? 0)),
    received: str(d(r.received ?? 0)),
    outstanding_lines: r.outstanding_lines ?? 0,
  }));
}

/**
 * What a scanner typed on the goods-in page: a PO number opens that PO; a part's barcode or
 * SKU lists the receivable POs that expect it.
 */
export async function findByScan(q: Q, tenantId: string, code: string): Promise<{ po: string | null; matches: PurchaseOrderSummary[] }> {
  const text = code.trim();
  const po = await q('purchase_orders').where({ tenant_id: tenantId }).whereRaw('lower(number) = lower(?)', [text]).first('id');
  if (po) return { po: po.id, matches: [] };
  const ids = await q('purchase_order_lines as pl')
    .join('parts as p', (j) => j.on('p.id', 'pl.part_id').andOn('p.tenant_id', 'pl.tenant_id'))
    .join('purchase_orders as o', (j) => j.on('o.id', 'pl.po_id').andOn('o.tenant_id', 'pl.tenant_id'))
    .where({ 'pl.tenant_id': tenantId, 'o.status': 'open' })
    .where((w) => w.where('p.barcode', text).orWhere('p.sku', text))
    .whereRaw('pl.received_qty < pl.ordered_qty')
    .distinct('o.id');
  const matches = ids.length ? await listPurchaseOrders(q, tenantId, { status: 'receivable', ids: ids.map((r) => r.id) }) : [];
  return { po: matches.length === 1 ? matches[0].id : null, matches };
}
