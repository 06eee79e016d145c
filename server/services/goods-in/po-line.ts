import { Trx } from '../../db';
import { isUuid } from '../../domain/ids';
import { Decimal, QTY_DP } from '../../domain/decimal';
import { toStockUnits } from '../../domain/purchasing';
import { Conflict, Invalid, NotFound, DomainError } from '../../errors';
import { LineRef } from '../purchasing/types';


export type LockedPo = { id: string; number: string; status: string; location_id: string; supplier_id: string };
export type PoLine = {
  id: string;
  partId: string;
  sku: string;
  tracking: string;
  fractional: boolean;
  unit: string;
  factor: Decimal;
  ordered: Decimal;
  received: Decimal;
  rejected: Decimal;
  unitCost: Decimal;
};

const NOT_RECEIVABLE: Record<string, string> = {
  draft: 'is a draft; approve it before receiving against it',
  received: 'has been received in full; reopen it to receive more',
  closed: 'is closed; reopen it to receive against it',
  cancelled: 'is cancelled; nothing can be received against it',
};

/**
 * Lock the PO for this verification. Every verification of one PO queues here, so two people
 * unpacking the same delivery never both count the same outstanding quantity.
 */
export async function lockReceivablePo(trx: Trx, tenantId: string, poId: string): Promise<LockedPo> {
  if (!isUuid(poId)) throw new NotFound('Purchase order', poId);
  const po = await trx('purchase_orders').where({ tenant_id: tenantId, id: poId }).forUpdate().first('id', 'number', 'status', 'location_id', 'supplier_id');
  if (!po) throw new NotFound('Purchase order', poId);
  if (po.status !== 'open') throw new Conflict(`Purchase order ${po.number} ${NOT_RECEIVABLE[po.status]}`, 'purchase_order');
  return po;
}

/** The PO line a verification names: by its id, or by a part's SKU or barcode (the first line of it still outstanding). */
export async function findPoLine(trx: Trx, tenantId: string, po: LockedPo, ref: LineRef): Promise<PoLine> {
  if (!ref.line && !ref.part) throw Invalid.field('line', 'Say which line: its id, or the part');
  let q = trx('purchase_order_lines as pl')
    .join('parts as p', (j) => j.on('p.id', 'pl.part_id').andOn('p.tenant_id', 'pl.tenant_id'))
    .where({ 'pl.tenant_id': tenantId, 'pl.po_id': po.id });
  if (ref.line) {
    if (!isUuid(ref.line)) throw Invalid.field('line', `Line ${ref.line} is not on purchase order ${po.number}`);
    q = q.where('pl.id', ref.line);
  } else q = q.where((w) => w.where('p.sku', ref.part!).orWhere('p.barcode', ref.part!));
  const rows = await q.orderByRaw('(pl.received_qty >= pl.ordered_qty), pl.line_no')
    .select('pl.*', 'p.sku', 'p.tracking', 'p.fractional', 'p.unit');
  if (!rows.length) {
    throw ref.line ? Invalid.field('line', `Line ${ref.line} is not on purchase order ${po.number}`) : Invalid.field('part', `${ref.part} is not on purchase order ${po.number}`);
  }
  const r = rows[0];
  return {
    id: r.id,
    partId: r.part_id,
    sku: r.sku,
    tracking: r.tracking,
    fractional: r.fractional,
    unit: r.unit,
    factor: new Decimal(r.units_per_purchase_unit),
    ordered: new Decimal(r.ordered_qty),
    received: new Decimal(r.received_qty),
    rejected: new Decimal(r.rejected_qty),
    unitCost: new Decimal(r.unit_cost),
  };
}

/** A verified quantity (purchase units) as stock units, refused when negative, zero, or a fraction of a whole unit. */
export function stockQuantity(line: PoLine, qty: Decimal): Decimal {
  if (!qty.isFinite() || !qty.gt(0)) throw Invalid.field('quantity', `Quantity of ${line.sku} must be greater than zero (got ${qty.toFixed()})`);
  if (qty.decimalPlaces() > QTY_DP) throw Invalid.field('quantity', `Quantity of ${line.sku} has too many decimal places (at most ${QTY_DP})`);
  const stock = toStockUnits(qty, line.factor);
  if (!line.fractional && !stock.isInteger()) {
    throw Invalid.field('quantity', `${line.sku} is counted in whole ${line.unit}; ${stock.toFixed()} is not a whole number`);
  }
  return stock;
}

/**
 * Errors from the stock posting name fields as a stock command's (lines.0.serials.2); goods-in's
 * body has one line, so its fields are the bare names (serials.2).
 */
export function asLineFields<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((err: unknown) => {
    if (err instanceof DomainError) for (const f of err.fields) f.field = f.field.replace(/^lines\.0\./, '');
    throw err;
  });
}
