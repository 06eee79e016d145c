import { Db } from '../../db';
import { isUuid } from '../../domain/ids';
import { Conflict, NotFound } from '../../errors';
import { inTransaction } from '../transaction';
import { IdempotencyClaim, withIdempotency } from '../idempotency';
import { Actor } from '../stock/types';
import { savePurchaseOrder } from './save-po';
import { purchaseOrderView } from './views';
import { finishInTransaction } from '../goods-in/deliveries';
import { PoInput, PurchaseOrderView, PoStatus } from './types';


export async function createPurchaseOrder(db: Db, actor: Actor, input: PoInput, idem?: IdempotencyClaim) {
  return inTransaction(db, (trx) =>
    withIdempotency(trx, actor.tenantId, idem, async () => purchaseOrderView(trx, actor.tenantId, await savePurchaseOrder(trx, actor.tenantId, input))),
  );
}

/** Which status changes a person may make; 'received' is goods-in's to set. */
const ALLOWED: Record<PoStatus, PoStatus[]> = {
  draft: ['open', 'cancelled'],
  open: ['closed', 'cancelled', 'draft'],
  received: ['closed', 'open'],
  closed: ['open'],
  cancelled: [],
};

/**
 * Close a PO (the rest will not come: it leaves goods-in and stops counting as on order),
 * reopen it, approve a draft, or cancel one nothing was received against.
 */
export async function setPurchaseOrderStatus(db: Db, actor: Actor, poId: string, status: 'open' | 'closed' | 'cancelled' | 'draft'): Promise<PurchaseOrderView> {
  if (!isUuid(poId)) throw new NotFound('Purchase order', poId);
  return inTransaction(db, async (trx) => {
    const locked = await trx('purchase_orders').where({ tenant_id: actor.tenantId, id: poId }).forUpdate().first('status');
    const view = await purchaseOrderView(trx, actor.tenantId, poId);
    const current = locked.status as PoStatus;
    if (current === status) return view;
    if (!ALLOWED[current].includes(status)) throw new Conflict(`Purchase order ${view.number} is ${current}; it cannot become ${status}`, 'status');
    if ((status === 'cancelled' || status === 'draft') && view.lines.some((l) => l.received !== '0')) {
      throw new Conflict(`Purchase order ${view.number} has received goods; it can be closed, not ${status === 'draft' ? 'made a draft again' : 'cancelled'}`, 'status');
    }
    // A closed PO with nothing outstanding reopens as received; a received one reopened on
    // purpose is open, so that more can be received against it.
    const fully = view.lines.every((l) => l.outstanding === '0');
    const next = status === 'open' && fully && current !== 'received' ? 'received' : status;
    await trx('purchase_orders').where({ tenant_id: actor.tenantId, id: poId }).update({ status: next, updated_at: trx.fn.now() });
    // Leaving goods-in finishes the delivery being unpacked, so a journal held for it is posted.
    if (next !== 'open' && view.open_delivery) await finishInTransaction(trx, actor, view.open_delivery.id);
    return purchaseOrderView(trx, actor.tenantId, poId);
  });
}
