import { Db, Trx } from '../../../db';

/**
 * What the sync wants a person to see on the connection page, kept in
 * accounting_connections.warnings: items tracked as inventory in Xero (they would be valued
 * twice), and purchase orders that could not be taken in, or only in part. Each warning has a
 * code and a key (the item code, the PurchaseOrderID), so the next pull replaces or clears it.
 */
export type SyncWarning =
  | { code: 'tracked_item'; item: string; message: string }
  | { code: 'purchase_order'; purchaseOrder: string; externalId: string; message: string }
  | { code: 'purchase_order_billed'; purchaseOrder: string; externalId: string; message: string };

export const warningKey = (w: SyncWarning): string => `${w.code}:${w.code === 'tracked_item' ? w.item : w.externalId}`;

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
