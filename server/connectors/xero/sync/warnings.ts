import { Db, Trx } from '../../../db';

/**
 * What the sync wants a person to see on the connection page, kept in
 * accounting_connections.warnings: items tracked as inventory in Xero (they would be valued
 * twice), and purchase orders that could not be taken in, or only in part. Each warning has a
 * code and a key (the item code, the PurchaseOrderID), so the next pull replaces or clears it.
 * `account_mapping`: a role moved off an account Xero refuses journals on (cleared once the
 * account it was moved to is in the chart). `purchase_orders_left_out` is a note rather than a
 * problem: one per reason, naming the purchase orders the pulls chose not to take in (history
 * from before Perpetua was connected).
 */
export type SyncWarning =
  | { code: 'tracked_item'; item: string; message: string }
  | { code: 'purchase_order'; purchaseOrder: string; externalId: string; message: string }
  | { code: 'purchase_order_billed'; purchaseOrder: string; externalId: string; message: string }
  | { code: 'purchase_orders_left_out'; reason: LeftOutReason; purchaseOrders: string[]; more: boolean; message: string }
  | { code: 'account_mapping'; role: string; message: string };

/** Why a Xero PO was not taken in: billed in Xero before Perpetua had it, or dated long before the connection. */
export type LeftOutReason = 'billed' | 'old';

export function warningKey(w: SyncWarning): string {
  if (w.code === 'tracked_item') return `${w.code}:${w.item}`;
  if (w.code === 'purchase_orders_left_out') return `${w.code}:${w.reason}`;
  if (w.code === 'account_mapping') return `${w.code}:${w.role}`;
  return `${w.code}:${w.externalId}`;
}

/** A warning about one of our purchase orders (cleared once that PO is settled here). */
export const aboutOnePo = (w: SyncWarning): w is Extract<SyncWarning, { externalId: string }> => 'externalId' in w;

export type ConnectionRef = { tenantId: string; id: string };

/**
 * Replace the warnings with these keys (a key given with no warning clears it). Read and written
 * under the connection row's lock, in a transaction of its own: every step and every PO writes
 * here, and none may lose another's warning.
 */
export async function putWarnings(db: Db | Trx, c: ConnectionRef, keys: string[], warnings: SyncWarning[]): Promise<void> {
  if (!keys.length && !warnings.length) return;
  const replaced = new Set([...keys, ...warnings.map(warningKey)]);
  await editWarnings(db, c, (current) => [...current.filter((w) => !replaced.has(warningKey(w))), ...warnings]);
}

export async function editWarnings(db: Db | Trx, c: ConnectionRef, edit: (current: SyncWarning[]) => SyncWarning[]): Promise<void> {
  const work = async (trx: Trx) => {
    const row = await trx('accounting_connections').where({ tenant_id: c.tenantId, id: c.id }).forUpdate().first('warnings');
    if (!row) return;
    const current = (typeof row.warnings === 'string' ? JSON.parse(row.warnings) : row.warnings ?? []) as SyncWarning[];
    await trx('accounting_connections').where({ tenant_id: c.tenantId, id: c.id }).update({ warnings: JSON.stringify(edit(current)) });
  };
  if ((db as Trx).isTransaction) await work(db as Trx);
  else await (db as Db).transaction(work);
}

export async function listWarnings(db: Db, c: ConnectionRef): Promise<SyncWarning[]> {
  const row = await db('accounting_connections').where({ tenant_id: c.tenantId, id: c.id }).first('warnings');
  return (typeof row?.warnings === 'string' ? JSON.parse(row.warnings) : row?.warnings ?? []) as SyncWarning[];
}
