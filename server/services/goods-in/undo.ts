import { Db, Trx } from '../../db';
import { isUuid } from '../../domain/ids';
import { Decimal, str } from '../../domain/decimal';
import { Conflict, NotFound } from '../../errors';
import { today } from '../../clock';
import { inTransaction } from '../transaction';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { reverseInTransaction } from '../stock/reverse-event';
import { Actor } from '../stock/types';
import { ReceiveResult } from '../purchasing/types';
import { result } from './receive';


/**
 * Undo a verified line: the receipt is reversed (a new event, nothing deleted), the line's
 * quantity leaves the PO's received figure, and a PO received in full opens again. While the
 * delivery is open under a journal-per-delivery policy, the reversal's lines join its journal.
 */
export async function undoReceiptLine(db: Db, actor: Actor, receiptLineId: string, idem?: IdempotencyClaim) {
  return inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, () => undoInTransaction(trx, actor, receiptLineId)));
}

async function undoInTransaction(trx: Trx, actor: Actor, receiptLineId: string): Promise<ReceiveResult> {
  if (!isUuid(receiptLineId)) throw new NotFound('Receipt line', receiptLineId);
  const found = await trx('receipt_lines as r')
    .join('purchase_order_lines as pl', (j) => j.on('pl.id', 'r.po_line_id').andOn('pl.tenant_id', 'r.tenant_id'))
    .where({ 'r.tenant_id': actor.tenantId, 'r.id': receiptLineId }).first('pl.po_id');
  if (!found) throw new NotFound('Receipt line', receiptLineId);
  // The PO first, then the line: the same order as a verification, so the two never deadlock.
  const po = await trx('purchase_orders').where({ tenant_id: actor.tenantId, id: found.po_id }).forUpdate().first('id', 'number', 'status');
  const line = await trx('receipt_lines').where({ tenant_id: actor.tenantId, id: receiptLineId }).forUpdate().first();
  if (line.undone_at) throw new Conflict('This line has already been undone');
  if (line.returned_at) throw new Conflict('These rejected goods have gone back to the supplier; there is nothing to undo');
  if (new Decimal(line.returned_qty).gt(0)) throw new Conflict('Part of this receipt went back to the supplier; undo that supplier return first (returns list)');
  if (new Decimal(line.billed_qty).gt(0)) throw new Conflict('This receipt has been billed; record a credit note with the supplier instead of undoing it');
  let undoEventId: string | null = null;
  let journal: ReceiveResult['journal'] = null;
  if (line.outcome === 'accepted') {
    const delivery = await trx('deliveries').where({ tenant_id: actor.tenantId, id: line.delivery_id }).first('status', 'journal_per');
    const event = await trx('stock_events').where({ tenant_id: actor.tenantId, id: line.event_id }).first('occurred_on');
    const on = event.occurred_on > today() ? event.occurred_on : today();
    const defer = delivery.status === 'open' && delivery.journal_per === 'delivery' ? line.delivery_id : undefined;
    const reversal = await reverseInTransaction(trx, actor, line.event_id, on, `undo of goods-in line on ${po.number}`, { deferToDelivery: defer });
    undoEventId = reversal.id;
    journal = reversal.journal;
  }
  await trx('receipt_lines').where({ tenant_id: actor.tenantId, id: receiptLineId }).update({ undone_at: trx.fn.now(), undo_event_id: undoEventId });
  const column = line.outcome === 'accepted' ? 'received_qty' : 'rejected_qty';
  await trx('purchase_order_lines').where({ tenant_id: actor.tenantId, id: line.po_line_id }).update({ [column]: trx.raw(`${column} - ?::numeric`, [str(new Decimal(line.quantity))]) });
  // Reopened only when the undo leaves something outstanding (not after undoing a rejection,
  // or an over-received line whose PO line is still received in full).
  if (po.status === 'received') {
    const outstanding = await trx('purchase_order_lines').where({ tenant_id: actor.tenantId, po_id: po.id }).whereRaw('received_qty < ordered_qty').first('id');
    if (outstanding) await trx('purchase_orders').where({ tenant_id: actor.tenantId, id: po.id }).update({ status: 'open', updated_at: trx.fn.now() });
  }
  return result(trx, actor, po.id, receiptLineId, undoEventId, journal);
}
