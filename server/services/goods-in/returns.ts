import { Db } from '../../db';
import { isUuid } from '../../domain/ids';
import { Conflict, NotFound } from '../../errors';
import { receiptLineViews } from '../purchasing/views';
import { ReceiptLineView } from '../purchasing/types';
import { Actor } from '../stock/types';

export type ReturnView = ReceiptLineView & { po_id: string; po_number: string; supplier: string };

/** Rejected goods waiting to go back to their supplier, oldest first. */
export async function listReturns(db: Db, tenantId: string): Promise<ReturnView[]> {
  const lines = await receiptLineViews(db, tenantId, { outcome: 'rejected', undone_at: null, returned_at: null });
  const pos = await db('receipt_lines as r')
    .join('deliveries as d', (j) => j.on('d.id', 'r.delivery_id').andOn('d.tenant_id', 'r.tenant_id'))
    .join('purchase_orders as o', (j) => j.on('o.id', 'd.po_id').andOn('o.tenant_id', 'd.tenant_id'))
    .join('suppliers as s', (j) => j.on('s.id', 'o.supplier_id').andOn('s.tenant_id', 'o.tenant_id'))
    .where('r.tenant_id', tenantId).whereIn('r.id', lines.map((l) => l.id))
    .select('r.id', 'o.id as po_id', 'o.number as po_number', 's.name as supplier');
  const byId = new Map(pos.map((p) => [p.id, p]));
  return lines.reverse().map((l) => ({ ...l, po_id: byId.get(l.id).po_id, po_number: byId.get(l.id).po_number, supplier: byId.get(l.id).supplier }));
}

/** The rejected goods have gone back to the supplier: they leave the returns list. */
export async function markReturned(db: Db, actor: Actor, receiptLineId: string): Promise<void> {
  if (!isUuid(receiptLineId)) throw new NotFound('Rejected line', receiptLineId);
  const updated = await db('receipt_lines').where({ tenant_id: actor.tenantId, id: receiptLineId, outcome: 'rejected' }).whereNull('undone_at').whereNull('returned_at').update({ returned_at: db.fn.now() }).returning(['id', 'returned_at']);
  if (!updated.length) {
    const exists = await db('receipt_lines').where({ tenant_id: actor.tenantId, id: receiptLineId, outcome: 'rejected' }).first('id', 'undone_at');
    if (!exists) throw new NotFound('Rejected line', receiptLineId);
    if (exists.undone_at) throw new Conflict('This rejection was undone; there is nothing to return');
    // Otherwise it was marked returned already, and keeps the day it went back.
  }
}
