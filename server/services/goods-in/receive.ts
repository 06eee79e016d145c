import { Db, Trx } from '../../db';
import { Decimal, str } from '../../domain/decimal';
import { checkOverReceipt } from '../../domain/purchasing';
import { Invalid, OverTolerance } from '../../errors';
import { verifyPassword } from '../auth/passwords';
import { inTransaction } from '../transaction';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { resolveLegs } from '../stock/resolve';
import { writeEvent } from '../stock/post-event';
import { Actor } from '../stock/types';
import { purchaseOrderProgress, receiptLineViews } from '../purchasing/views';
import { ReceiveInput, ReceiveResult, RejectInput } from '../purchasing/types';
import { lockReceivablePo, findPoLine, stockQuantity, asLineFields, LockedPo, PoLine } from './po-line';
import { openDelivery, finishInTransaction, OpenDelivery } from './deliveries';

/**
 * Goods-in: one PO line verified as unpacked. The quantity goes to stock at once, at the PO's
 * unit cost in the base currency excluding tax, with its journal (Dr stock, Cr GRNI) posted now
 * or held for the delivery's journal, as the organisation's policy says.
 */
export async function receiveLine(db: Db, actor: Actor, poId: string, input: ReceiveInput, idem?: IdempotencyClaim) {
  return inTransaction(db, (trx) => withIdempotency(trx, actor.tenantId, idem, () => asLineFields(() => receiveInTransaction(trx, actor, poId, input))));
}

async function receiveInTransaction(trx: Trx, actor: Actor, poId: string, input: ReceiveInput): Promise<ReceiveResult> {
  const po = await lockReceivablePo(trx, actor.tenantId, poId);
  const line = await findPoLine(trx, actor.tenantId, po, input);
  const qty = stockQuantity(line, input.quantity);
  const approvedBy = await approveOverReceipt(trx, actor, line, qty, input);
  const delivery = await openDelivery(trx, actor, po, { on: input.occurredOn, deliveryNote: input.deliveryNote });
  const location = await trx('locations').where({ tenant_id: actor.tenantId, id: po.location_id }).first('code');
  const legs = await resolveLegs(trx, actor.tenantId, {
    kind: 'receipt',
    occurredOn: delivery.receivedOn,
    lines: [{ part: line.sku, location: location.code, quantity: qty, unitCost: line.unitCost, lot: input.lot || undefined, serials: input.serials?.length ? input.serials : undefined }],
  });
  const event = await writeEvent(
    trx,
    actor,
    { kind: 'receipt', occurredOn: delivery.receivedOn, reference: po.number, reason: `goods-in delivery ${delivery.number}`, contra: 'grni', reversesEventId: null, deferToDelivery: delivery.journalPer === 'delivery' ? delivery.id : undefined },
    legs,
  );
  const [row] = await trx('receipt_lines')
    .insert({
      tenant_id: actor.tenantId, delivery_id: delivery.id, po_line_id: line.id, outcome: 'accepted', quantity: str(qty), lot: input.lot ?? '',
      serials: JSON.stringify(input.serials ?? []), unit_cost: str(line.unitCost), event_id: event.id, approved_by: approvedBy,
      user_id: actor.userId ?? null, api_key_id: actor.apiKeyId ?? null,
    })
    .returning('id');
  await trx('purchase_order_lines').where({ tenant_id: actor.tenantId, id: line.id }).update({ received_qty: trx.raw('received_qty + ?::numeric', [str(qty)]) });
  await settleIfReceived(trx, actor, po, delivery);
  return result(trx, actor, po.id, row.id, event.id, event.journal);
}

/** A damaged or wrong unit: recorded against the line for return to the supplier; stock does not move. */
export async function rejectLine(db: Db, actor: Actor, poId: string, input: RejectInput, idem?: IdempotencyClaim) {
  return inTransaction(db, (trx) =>
    withIdempotency(trx, actor.tenantId, idem, async () => {
      const po = await lockReceivablePo(trx, actor.tenantId, poId);
      const line = await findPoLine(trx, actor.tenantId, po, input);
      const qty = stockQuantity(line, input.quantity);
      if (!input.reason?.trim()) throw Invalid.field('reason', `Say why ${line.sku} is rejected (damaged, wrong part...)`);
      const delivery = await openDelivery(trx, actor, po, { on: input.occurredOn, deliveryNote: input.deliveryNote });
      const [row] = await trx('receipt_lines')
        .insert({ tenant_id: actor.tenantId, delivery_id: delivery.id, po_line_id: line.id, outcome: 'rejected', quantity: str(qty), reason: input.reason.trim(), unit_cost: str(line.unitCost), user_id: actor.userId ?? null, api_key_id: actor.apiKeyId ?? null })
        .returning('id');
      await trx('purchase_order_lines').where({ tenant_id: actor.tenantId, id: line.id }).update({ rejected_qty: trx.raw('rejected_qty + ?::numeric', [str(qty)]) });
      return result(trx, actor, po.id, row.id, null, null);
    }),
  );
}

/**
 * Beyond the tolerance an admin says yes on the spot: the signed-in admin ticks approval, or an
 * admin types their email and password on the operator's tablet. The approver is recorded.
 */
async function approveOverReceipt(trx: Trx, actor: Actor, line: PoLine, qty: Decimal, input: ReceiveInput): Promise<string | null> {
  const t = await trx('tenants').where({ id: actor.tenantId }).first('over_receipt_tolerance_pct');
  const tolerance = new Decimal(t.over_receipt_tolerance_pct);
  const check = checkOverReceipt(line.ordered, line.received, qty, tolerance);
  if (!check.over) return null;
  if (input.approveOverReceipt && actor.role === 'admin') return actor.userId ?? null;
  if (input.approval?.email) {
    const admin = await trx('users').where({ tenant_id: actor.tenantId, role: 'admin' }).whereNull('disabled_at').whereRaw('lower(email) = lower(?)', [input.approval.email.trim()]).first('id', 'password_hash');
    if (!admin || !(await verifyPassword(input.approval.password ?? '', admin.password_hash))) {
      throw Invalid.field('approval.password', 'That is not an admin of this organisation, or the password is wrong');
    }
    return admin.id;
  }
  throw new OverTolerance(
    `Receiving ${qty.toFixed()} more ${line.sku} makes ${check.total.toFixed()} of ${line.ordered.toFixed()} ordered, ${check.percentOver.toFixed()}% over; the tolerance is ${tolerance.toFixed()}%. An admin must approve`,
  );
}

/** A PO with nothing outstanding leaves goods-in, and its delivery is finished (posting a held journal). */
async function settleIfReceived(trx: Trx, actor: Actor, po: LockedPo, delivery: OpenDelivery): Promise<void> {
  const open = await trx('purchase_order_lines').where({ tenant_id: actor.tenantId, po_id: po.id }).whereRaw('received_qty < ordered_qty').first('id');
  if (open) return;
  await trx('purchase_orders').where({ tenant_id: actor.tenantId, id: po.id }).update({ status: 'received', updated_at: trx.fn.now() });
  await finishInTransaction(trx, actor, delivery.id);
}

export async function result(trx: Trx, actor: Actor, poId: string, receiptLineId: string, eventId: string | null, journal: ReceiveResult['journal']): Promise<ReceiveResult> {
  const [receiptLine] = await receiptLineViews(trx, actor.tenantId, { id: receiptLineId });
  return { receipt_line: receiptLine, purchase_order: await purchaseOrderProgress(trx, actor.tenantId, poId, receiptLine.po_line_id), event_id: eventId, journal };
}
