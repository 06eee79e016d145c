import { Trx } from '../db';
import { Decimal, str } from '../domain/decimal';
import { Carry } from '../domain/accounting';
import { Layer as CostLayer } from '../domain/costing';

export type LayerRow = CostLayer & { partId: string; locationId: string; lot: string };
export type BalanceRow = { partId: string; locationId: string; lot: string; onHand: Decimal; allocated: Decimal };
export type SerialRow = { partId: string; serial: string; locationId: string | null; lot: string; status: 'in_stock' | 'out' };

export const pairKey = (partId: string, locationId: string) => `${partId}|${locationId}`;
export const layerKey = (partId: string, locationId: string, lot: string) => `${partId}|${locationId}|${lot}`;
export const balanceKey = (partId: string, locationId: string, lot: string) => `${partId}|${locationId}|${lot}`;

/** Lock each part's valuation row, in id order so two commands never deadlock. */
export async function lockParts(trx: Trx, tenantId: string, partIds: string[]): Promise<Map<string, Carry>> {
  const ids = [...new Set(partIds)].sort();
  // One array parameter, not a placeholder per part: an event may lock thousands of parts.
  const rows = await trx('part_valuations').where({ tenant_id: tenantId }).whereRaw('part_id = any(?::uuid[])', [ids])
    .orderBy('part_id').forUpdate();
  return new Map(rows.map((r) => [r.part_id, { exactValue: new Decimal(r.exact_value), postedValue: new Decimal(r.posted_value) }]));
}

export async function layersByIds(trx: Trx, tenantId: string, ids: string[]): Promise<LayerRow[]> {
  if (!ids.length) return [];
  return (await trx('cost_layers').where({ tenant_id: tenantId }).whereIn('id', ids)).map(toLayer);
}

function toLayer(r: Record<string, any>): LayerRow {
  return {
    id: r.id,
    seq: Number(r.seq),
    partId: r.part_id,
    locationId: r.location_id,
    lot: r.lot,
    remainingQty: new Decimal(r.remaining_qty),
    remainingValue: new Decimal(r.remaining_value),
  };
}

export type MovementRow = {
  id: string;
  eventId: string;
  partId: string;
  locationId: string;
  lot: string;
  serial: string | null;
  quantity: Decimal;
  unitCost: Decimal;
  value: Decimal;
  occurredOn: string;
  reversesMovementId: string | null;
};

export type NewLayer = { id: string; partId: string; locationId: string; lot: string; sourceMovementId: string; qty: Decimal; value: Decimal; unitCost: Decimal };

export async function consumptionsOf(trx: Trx, tenantId: string, movementIds: string[]) {
  if (!movementIds.length) return [];
  const rows = await trx('layer_consumptions').where({ tenant_id: tenantId }).whereIn('movement_id', movementIds);
  return rows.map((r) => ({ movementId: r.movement_id as string, layerId: r.layer_id as string, qty: new Decimal(r.quantity), value: new Decimal(r.value) }));
}


/** Transfers only: which layer each new destination layer's units came from (see the cost_layers parent migration). */
export async function recordLayerParents(trx: Trx, tenantId: string, parents: Map<string, string>): Promise<void> {
  await trx.raw(
    `update cost_layers c set parent_layer_id = v.parent from json_to_recordset(?::json) as v(id uuid, parent uuid)
      where c.tenant_id = ? and c.id = v.id`,
    [JSON.stringify([...parents].map(([id, parent]) => ({ id, parent }))), tenantId],
  );
}
