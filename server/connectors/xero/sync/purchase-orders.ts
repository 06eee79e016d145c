import { Db, Trx } from '../../../db';
import { DomainError } from '../../../errors';
import { inTransaction } from '../../../services/transaction';
import { savePurchaseOrder } from '../../../services/purchasing/save-po';
import { supplierNamed } from '../../../services/purchasing/suppliers';
import { callXero, describe, XeroDeps } from '../api';
import { XeroConnection } from '../connections';
import { PushError } from '../../accounting-connector';
import { upsertSupplier, PAGE_SIZE, OLDEST_FIRST } from './contacts';
import { reserveReached, resumeFrom } from './connection';
import { mapPurchaseOrder } from './po-input';
import { applyPoChanges } from './po-changes';
import { editWarnings, listWarnings, putWarnings, SyncWarning } from './warnings';
import { instant, later, text } from './values';

export type PoOutcome = 'created' | 'updated' | 'cancelled' | 'draft' | 'skipped' | 'unchanged' | 'problem';
type Applied = { outcome: PoOutcome; problems: string[] };
type OnPage = (done: number, total?: number) => Promise<void>;

/** Xero sends no purchase-order events: GET /PurchaseOrders with If-Modified-Since, page by page. */
export async function pullPurchaseOrders(deps: XeroDeps, connection: XeroConnection, since?: Date, onPage?: OnPage) {
  let cursor = since;
  const outcomes: Partial<Record<PoOutcome, number>> = {};
  let count = 0;
  for (let page = 1; ; page++) {
    if (page > 1 && reserveReached(connection.id) !== null) return { cursor: resumeFrom(cursor), count, paused: true as const };
    const answer = await callXero(deps, connection, (api, id) => api.getPurchaseOrders(id, since, undefined, undefined, undefined, OLDEST_FIRST, page, undefined));
    if (answer.status === 304) break;
    if (answer.status !== 200) throw new PushError(`Xero did not give its purchase orders (${answer.status}: ${describe(answer.body)})`, true);
    const pos: any[] = answer.body?.purchaseOrders ?? [];
    for (const po of pos) {
      if (!po.purchaseOrderID) continue;
      const { outcome } = await applyPurchaseOrder(deps.db, connection, po);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      cursor = later(cursor, instant(po.updatedDateUTC));
      count++;
    }
    await onPage?.(count, answer.body?.pagination?.itemCount);
    if (pos.length < PAGE_SIZE) break;
  }
  await forgetSettledWarnings(deps.db, connection);
  return { cursor, count, outcomes };
}

/**
 * One Xero PO, in a transaction of its own so that one that cannot be taken in never holds up
 * the others; what went wrong, or was left out, becomes the PO's sync warning (replacing the
 * last one, or clearing it).
 */
export async function applyPurchaseOrder(db: Db, connection: XeroConnection, po: any): Promise<Applied> {
  let applied: Applied;
  try {
    applied = await inTransaction(db, (trx) => applyInTransaction(trx, connection.tenantId, po));
  } catch (err) {
    applied = { outcome: 'problem', problems: [messageOf(err)] };
  }
  const externalId = String(po.purchaseOrderID);
  const purchaseOrder = text(po.purchaseOrderNumber) || externalId;
  const warnings: SyncWarning[] = [];
  if (applied.problems.length) warnings.push({ code: 'purchase_order', purchaseOrder, externalId, message: `${purchaseOrder}: ${applied.problems.join('; ')}` });
  if (text(po.status) === 'BILLED' && (applied.outcome === 'created' || applied.outcome === 'updated')) {
    warnings.push({ code: 'purchase_order_billed', purchaseOrder, externalId, message: `${purchaseOrder} is billed in Xero and stays open at goods-in until its goods are in; bill matching compares the bill with what arrived` });
  }
  await putWarnings(db, connection, [`purchase_order:${externalId}`, `purchase_order_billed:${externalId}`], warnings);
  return applied;
}

/**
 * DRAFT POs are not taken in: a draft is not yet an order (the supplier has not seen it) and
 * changes freely; approving it in Xero changes its UpdatedDateUTC, so the next pull brings it in.
 */
const RECEIVABLE = new Set(['SUBMITTED', 'AUTHORISED', 'BILLED']);

async function applyInTransaction(trx: Trx, tenantId: string, po: any): Promise<Applied> {
  const status = text(po.status);
  const existing = await trx('purchase_orders').where({ tenant_id: tenantId, external_id: po.purchaseOrderID }).forUpdate().first();
  if (!existing && !RECEIVABLE.has(status)) return { outcome: 'skipped', problems: [] };
  // A person closed or cancelled it here: that decision stands over later edits in Xero.
  if (existing && ['closed', 'cancelled'].includes(existing.status)) return { outcome: 'unchanged', problems: [] };
  if (existing && status === 'DELETED') return cancel(trx, tenantId, existing, 'deleted');
  if (existing && status === 'DRAFT') return cancel(trx, tenantId, existing, 'draft');
  const supplier = po.contact?.contactID
    ? await upsertSupplier(trx, tenantId, { contactId: po.contact.contactID, name: text(po.contact.name) || 'Unnamed Xero contact' })
    : await supplierNamed(trx, tenantId, text(po.contact?.name) || 'Unnamed Xero contact');
  const { input, left } = await mapPurchaseOrder(trx, tenantId, po, supplier.name);
  const notTaken = left.map((l) => `${l} was not taken in`);
  if (!input.lines.length) return { outcome: 'problem', problems: [existing ? `it has no part lines left in Xero; kept as it was` : 'nothing to receive', ...notTaken] };
  if (!existing) {
    await savePurchaseOrder(trx, tenantId, input);
    return { outcome: 'created', problems: notTaken };
  }
  return { outcome: 'updated', problems: [...notTaken, ...(await applyPoChanges(trx, tenantId, existing, input))] };
}

/** Deleted (or sent back to draft) in Xero: cancelled (or a draft) here, unless goods-in has already begun on it. */
async function cancel(trx: Trx, tenantId: string, po: Record<string, any>, why: 'deleted' | 'draft'): Promise<Applied> {
  const target = why === 'deleted' ? 'cancelled' : 'draft';
  if (po.status === target) return { outcome: 'unchanged', problems: [] };
  const begun = await trx('deliveries').where({ tenant_id: tenantId, po_id: po.id }).first('id');
  if (begun) {
    const what = why === 'deleted' ? 'was deleted in Xero' : 'went back to draft in Xero';
    return { outcome: 'problem', problems: [`it ${what} but goods were already received against it here; close it in Perpetua once its goods are settled`] };
  }
  await trx('purchase_orders').where({ tenant_id: tenantId, id: po.id }).update({ status: target, updated_at: trx.fn.now() });
  return { outcome: why === 'deleted' ? 'cancelled' : 'draft', problems: [] };
}

function messageOf(err: unknown): string {
  if (err instanceof DomainError && err.fields.length) return [...new Set(err.fields.map((f) => f.message))].join('; ');
  return String((err as Error)?.message ?? err).slice(0, 500);
}

/** A PO's warnings are about taking it in: once it is received, closed or cancelled here, they go. */
async function forgetSettledWarnings(db: Db, c: XeroConnection): Promise<void> {
  const ids = (await listWarnings(db, c)).flatMap((w) => (w.code === 'tracked_item' ? [] : [w.externalId]));
  if (!ids.length) return;
  const settled = new Set<string>(await db('purchase_orders').where({ tenant_id: c.tenantId }).whereIn('external_id', ids).whereIn('status', ['received', 'closed', 'cancelled']).pluck('external_id'));
  if (settled.size) await editWarnings(db, c, (ws) => ws.filter((w) => w.code === 'tracked_item' || !settled.has(w.externalId)));
}
