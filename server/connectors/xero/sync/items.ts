import { insertPart } from '../../../services/catalogue';
import { callXero, describe, XeroDeps } from '../api';
import { XeroConnection } from '../connections';
import { PushError } from '../../accounting-connector';
import { putWarnings, SyncWarning, warningKey } from './warnings';
import { instant, later, text } from './values';

export type ItemsPulled = { cursor?: Date; count: number; partsCreated: string[]; tracked: string[] };

/**
 * GET /Items (If-Modified-Since once a cursor exists; Xero does not page items). A Xero item is
 * our part with the same SKU as its Code. An item with no such part becomes one when it is
 * bought (IsPurchased) or tracked: those are what purchase orders and goods-in need. Items that
 * are only sold are not created: they are as often services (labour, carriage) as products, and
 * a product made here is set up in Perpetua with its BOM, where its SKU then links it.
 * New parts take the plain defaults (each, whole units, not lot or serial tracked): Xero knows
 * none of these, and a person refines them on the part's page before the first receipt.
 */
export async function pullItems(deps: XeroDeps, connection: XeroConnection, since?: Date): Promise<ItemsPulled> {
  const answer = await callXero(deps, connection, (api, id) => api.getItems(id, since, undefined, undefined, undefined));
  const out: ItemsPulled = { cursor: since, count: 0, partsCreated: [], tracked: [] };
  if (answer.status === 304) return out;
  if (answer.status !== 200) throw new PushError(`Xero did not give its items (${answer.status}: ${describe(answer.body)})`, true);
  const items: any[] = (answer.body?.items ?? []).filter((i: any) => text(i.code).trim());
  const skus = items.map((i) => text(i.code).trim());
  const existing = new Set((await deps.db('parts').where({ tenant_id: connection.tenantId }).whereIn('sku', skus).select('sku')).map((r) => r.sku as string));
  for (const item of items) {
    const sku = text(item.code).trim();
    out.cursor = later(out.cursor, instant(item.updatedDateUTC));
    out.count++;
    if (item.isTrackedAsInventory) out.tracked.push(sku);
    if (existing.has(sku) || !(item.isPurchased || item.isTrackedAsInventory)) continue;
    await deps.db.transaction((trx) => insertPart(trx, connection.tenantId, partFor(sku, item)));
    existing.add(sku);
    out.partsCreated.push(sku);
  }
  // Every item seen has its warning replaced: one untracked in Xero since the last pull is cleared.
  const warnings: SyncWarning[] = out.tracked.map((item) => ({ code: 'tracked_item', item, message: trackedMessage(item) }));
  await putWarnings(deps.db, connection, skus.map((item) => warningKey({ code: 'tracked_item', item, message: '' })), warnings);
  return out;
}

function partFor(sku: string, item: any) {
  const description = text(item.purchaseDescription) || text(item.description);
  return { sku, name: (text(item.name) || description || sku).slice(0, 200), description, unit: 'each', fractional: false, tracking: 'none' as const, source: 'bought' as const };
}

export function trackedMessage(item: string): string {
  return `Item ${item} is tracked as inventory in Xero: Xero values it itself when bills and invoices for it are approved, and Perpetua posts its own stock journals, so its stock would be counted twice. Untrack it in Xero (Products and services → ${item} → untick "Track inventory item").`;
}
