import { Db, Trx } from '../../db';
import { isUuid } from '../../domain/ids';
import { Decimal, str } from '../../domain/decimal';
import { Conflict, NotFound } from '../../errors';
import { today } from '../../clock';
import { inTransaction } from '../transaction';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { reverseInTransaction } from '../stock/reverse-event';
import { Actor } from '../stock/types';
import { lockReceiptLine } from './supplier-return';
import { supplierReturnView, SupplierReturnView } from './supplier-return-views';

/**
 * Undo a supplier return (the goods never went, or came straight back): its event is reversed
 * (a new event, nothing deleted; the units go back into the layers they left, the journal is
 * answered line for line), and the receipt line and the PO line count them as received again.
 */
export async function undoSupplierReturn(db: Db, actor: Actor, returnId: string, idem?: IdempotencyClaim) {
  return inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, () => undoInTransaction(trx, actor, returnId)));
}

async function undoInTransaction(trx: Trx, actor: Actor, returnId: string): Promise<SupplierReturnView> {
  if (!isUuid(returnId)) throw new NotFound('Supplier return', returnId);
  const found = await trx('supplier_returns').where({ tenant_id: actor.tenantId, id: returnId }).first('receipt_line_id');
  if (!found) throw new NotFound('Supplier return', returnId);
  const r = await lockReceiptLine(trx, actor.tenantId, found.receipt_line_id);
  const sr = await trx('supplier_returns').where({ tenant_id: actor.tenantId, id: returnId }).forUpdate().first();
  if (sr.undone_at) throw new Conflict(`Supplier return ${sr.number} has already been undone`);
  const event = await trx('stock_events').where({ tenant_id: actor.tenantId, id: sr.event_id }).first('occurred_on');
  const on = event.occurred_on > today() ? event.occurred_on : today();
  const reversal = await reverseInTransaction(trx, actor, sr.event_id, on, `undo of supplier return ${sr.number} on ${r.po_number}`, {});
  await trx('supplier_returns').where({ tenant_id: actor.tenantId, id: returnId }).update({ undone_at: trx.fn.now(), undo_event_id: reversal.id });
  const qty = str(new Decimal(sr.quantity));
  await trx('receipt_lines').where({ tenant_id: actor.tenantId, id: r.id }).update({
    returned_qty: trx.raw('returned_qty - ?::numeric', [qty]), returned_unbilled_qty: trx.raw('returned_unbilled_qty - ?::numeric', [str(new Decimal(sr.unbilled_qty))]),
  });
  await trx('purchase_order_lines').where({ tenant_id: actor.tenantId, id: r.po_line_id }).update({ received_qty: trx.raw('received_qty + ?::numeric', [qty]) });
  // Received in full again: the PO leaves goods-in, as after its last receipt.
  const outstanding = await trx('purchase_order_lines').where({ tenant_id: actor.tenantId, po_id: r.po_id }).whereRaw('received_qty < ordered_qty').first('id');
  if (r.po_status === 'open' && !outstanding) await trx('purchase_orders').where({ tenant_id: actor.tenantId, id: r.po_id }).update({ status: 'received', updated_at: trx.fn.now() });
  return supplierReturnView(trx, actor.tenantId, returnId);
}
