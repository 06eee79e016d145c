import { Db, Trx } from '../../../db';
import { DomainError } from '../../../errors';
import { inTransaction } from '../../../services/transaction';
import { savePurchaseOrder } from '../../../services/purchasing/save-po';
import { supplierNamed } from '../../../services/purchasing/suppliers';
import { XeroDeps } from '../api';
import { XeroConnection } from '../connections';
import { upsertSupplier } from './contacts';
import { OLDEST_FIRST, OnPage, pullPages } from './paging';
import { mapPurchaseOrder } from './po-input';
import { applyPoChanges } from './po-changes';
import { aboutOnePo, editWarnings, LeftOutReason, listWarnings, putWarnings, SyncWarning, warningKey } from './warnings';
import { isoDate, text } from './values';

/**
 * `already_billed` and `too_old`: a PO Perpetua did not have, left out as history (see
 * leftOutReason); it is named in the connection's purchase_orders_left_out note.
 */
export type PoOutcome = 'created' | 'updated' | 'cancelled' | 'draft' | 'skipped' | 'already_billed' | 'too_old' | 'unchanged' | 'problem';
type Applied = { outcome: PoOutcome; problems: string[] };

/** A new PO dated more than this many days before the connection was made is history, not an order to receive. */
export const HISTORY_DAYS = 365;

/** Xero sends no purchase-order events: GET /PurchaseOrders with If-Modified-Since, page by page. */
export async function pullPurchaseOrders(deps: XeroDeps, connection: XeroConnection, since?: Date, onPage?: OnPage) {
  const outcomes: Partial<Record<PoOutcome, number>> = {};
  const history = { dateFloor: await dateFloor(deps.db, connection) };
  const out = await pullPages<any>(deps, connection, since, {
    what: 'its purchase orders',
    page: (ifModifiedSince, page) => (api, id) => api.getPurchaseOrders(id, ifModifiedSince, undefined, undefined, undefined, OLDEST_FIRST, page, undefined),
    records: (body) => body?.purchaseOrders,
    take: async (po) => {
      if (!po.purchaseOrderID) return false;
      const { outcome } = await applyPurchaseOrder(deps.db, connection, po, history);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      return true;
    },
  }, onPage);
  if (!out.paused) await forgetSettledWarnings(deps.db, connection);
  return { ...out, outcomes };
}

/** Orders dated before this day ('YYYY-MM-DD', HISTORY_DAYS before the connection was made) are history. */
async function dateFloor(db: Db, c: XeroConnection): Promise<string | null> {
  const row = await db('accounting_connections').where({ tenant_id: c.tenantId, id: c.id }).first('created_at');
  return row?.created_at ? isoDate(new Date(new Date(row.created_at).getTime() - HISTORY_DAYS * 86_400_000)) : null;
}

type History = { dateFloor: string | null };

/**
 * One Xero PO, in a transaction of its own so that one that cannot be taken in never holds up
 * the others; what went wrong, or was left out, becomes the PO's sync warning (replacing the
 * last one, or clearing it). A PO left out as history is added to the note that names them.
 */
export async function applyPurchaseOrder(db: Db, connection: XeroConnection, po: any, history: History = { dateFloor: null }): Promise<Applied> {
  let applied: Applied;
  try {
    applied = await inTransaction(db, (trx) => applyInTransaction(trx, connection.tenantId, po, history));
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
  const reason = LEFT_OUT[applied.outcome];
  const keys = [`purchase_order:${externalId}`, `purchase_order_billed:${externalId}`];
  if (!reason) await putWarnings(db, connection, keys, warnings);
  else await editWarnings(db, connection, (current) => noteLeftOut(current.filter((w) => !keys.includes(warningKey(w))), reason, purchaseOrder, history.dateFloor));
  return applied;
}

/**
 * DRAFT POs are not taken in: a draft is not yet an order (the supplier has not seen it) and
 * changes freely; approving it in Xero changes its UpdatedDateUTC, so the next pull brings it in.
 */
const RECEIVABLE = new Set(['SUBMITTED', 'AUTHORISED', 'BILLED']);
const LEFT_OUT: Partial<Record<PoOutcome, LeftOutReason>> = { already_billed: 'billed', too_old: 'old' };

/**
 * Why a PO Perpetua does not have yet is history rather than an order to receive, or null. The
 * first pull sees every PO in Xero, years of them. One already BILLED was billed before Perpetua
 * knew of it: its goods came in then, and receiving it now would post Dr Stock / Cr GRNI for
 * goods already billed. One SUBMITTED or AUTHORISED but dated over HISTORY_DAYS before the
 * connection is an order nobody closed in Xero; taken in, it would count as on order and net
 * shortages for years. POs we already have are followed whatever their date or status.
 */
function leftOutReason(po: any, status: string, history: History): PoOutcome | null {
  if (status === 'BILLED') return 'already_billed';
  const date = isoDate(po.date);
  return history.dateFloor && date && date < history.dateFloor ? 'too_old' : null;
}

async function applyInTransaction(trx: Trx, tenantId: string, po: any, history: History): Promise<Applied> {
  const status = text(po.status);
  const existing = await trx('purchase_orders').where({ tenant_id: tenantId, external_id: po.purchaseOrderID }).forUpdate().first();
  if (!existing && !RECEIVABLE.has(status)) return { outcome: 'skipped', problems: [] };
  const leftOut = existing ? null : leftOutReason(po, status, history);
  if (leftOut) return { outcome: leftOut, problems: [] };
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

/** The note naming POs left out for one reason: each number once (a PO is seen again when it changes, or in the cursor's overlap), at most NOTE_LIMIT kept. */
const NOTE_LIMIT = 50;
const NOTE_SHOWS = 10;
function noteLeftOut(current: SyncWarning[], reason: LeftOutReason, number: string, dateFloor: string | null): SyncWarning[] {
  const key = `purchase_orders_left_out:${reason}`;
  const was = current.find((w) => warningKey(w) === key);
  const prior = was?.code === 'purchase_orders_left_out' ? was : { purchaseOrders: [] as string[], more: false };
  if (prior.purchaseOrders.includes(number)) return current;
  const full = prior.purchaseOrders.length >= NOTE_LIMIT;
  const purchaseOrders = full ? prior.purchaseOrders : [...prior.purchaseOrders, number];
  const more = prior.more || full;
  const shown = purchaseOrders.slice(0, NOTE_SHOWS).join(', ');
  const rest = purchaseOrders.length - NOTE_SHOWS;
  const list = rest > 0 ? `${shown} and ${more ? 'over ' : ''}${rest} more` : shown;
  const message = reason === 'billed'
    ? `Purchase orders already billed in Xero when Perpetua first saw them are not taken in: their goods came before Perpetua knew of them, so there is nothing to receive (${list})`
    : `Purchase orders dated before ${dateFloor} (over a year before Xero was connected) are not taken in as orders to receive: ${list}. Enter one in Perpetua by hand if its goods are still due`;
  return [...current.filter((w) => warningKey(w) !== key), { code: 'purchase_orders_left_out', reason, purchaseOrders, more, message }];
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
  const ids = (await listWarnings(db, c)).flatMap((w) => (aboutOnePo(w) ? [w.externalId] : []));
  if (!ids.length) return;
  const settled = new Set<string>(await db('purchase_orders').where({ tenant_id: c.tenantId }).whereIn('external_id', ids).whereIn('status', ['received', 'closed', 'cancelled']).pluck('external_id'));
  if (settled.size) await editWarnings(db, c, (ws) => ws.filter((w) => !aboutOnePo(w) || !settled.has(w.externalId)));
}
