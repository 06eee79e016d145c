import { Trx } from '../db';
import { Decimal, str } from '../domain/decimal';
import { Carry } from '../domain/accounting';
import { Layer as CostLayer } from '../domain/costing';

export type LayerRow = CostLayer & { partId: string; locationId: string };
export type BalanceRow = { partId: string; locationId: string; lot: string; onHand: Decimal; allocated: Decimal };
export type SerialRow = { partId: string; serial: string; locationId: string | null; lot: string; status: 'in_stock' | 'out' };

export const pairKey = (partId: string, locationId: string) => `${partId}|${locationId}`;
export const balanceKey = (partId: string, locationId: string, lot: string) => `${partId}|${locationId}|${lot}`;

/** Lock each part's valuation row, in id order so two commands never deadlock. */
export async function lockParts(trx: Trx, tenantId: string, partIds: string[]): Promise<Map<string, Carry>> {
  const ids = [...new Set(partIds)].sort();
  const rows = await trx('part_valuations').where({ tenant_id: tenantId }).whereIn('part_id', ids).orderBy('part_id').forUpdate();
  return new Map(rows.map((r) => [r.part_id, { exactValue: new Decimal(r.exact_value), postedValue: new Decimal(r.posted_value) }]));
}

export async function openLayers(trx: Trx, tenantId: string, pairs: { partId: string; locationId: string }[]): Promise<LayerRow[]> {
  if (!pairs.length) return [];
  const rows = await trx('cost_layers')
    .where({ tenant_id: tenantId })
    .whereIn(['part_id', 'location_id'], pairs.map((p) => [p.partId, p.locationId]))
    .where('remaining_qty', '>', 0)
    .orderBy('seq');
  return rows.map(toLayer);
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
    remainingQty: new Decimal(r.remaining_qty),
    remainingValue: new Decimal(r.remaining_value),
  };
}

export async function balances(trx: Trx, tenantId: string, keys: { partId: string; locationId: string; lot: string }[]): Promise<Map<string, BalanceRow>> {
  if (!keys.length) return new Map();
  const rows = await trx('stock_balances')
    .where({ tenant_id: tenantId })
    .whereIn(['part_id', 'location_id', 'lot'], keys.map((k) => [k.partId, k.locationId, k.lot]));
  return new Map(
    rows.map((r) => [
      balanceKey(r.part_id, r.location_id, r.lot),
      { partId: r.part_id, locationId: r.location_id, lot: r.lot, onHand: new Decimal(r.on_hand), allocated: new Decimal(r.allocated) },
    ]),
  );
}

export async function serials(trx: Trx, tenantId: string, partSerials: { partId: string; serial: string }[]): Promise<Map<string, SerialRow>> {
  if (!partSerials.length) return new Map();
  const rows = await trx('serials')
    .where({ tenant_id: tenantId })
    .whereIn(['part_id', 'serial'], partSerials.map((s) => [s.partId, s.serial]));
  return new Map(rows.map((r) => [`${r.part_id}|${r.serial}`, { partId: r.part_id, serial: r.serial, locationId: r.location_id, lot: r.lot, status: r.status }]));
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

export async function insertMovements(trx: Trx, tenantId: string, rows: MovementRow[]): Promise<void> {
  if (!rows.length) return;
  await trx('stock_movements').insert(
    rows.map((m) => ({
      tenant_id: tenantId,
      id: m.id,
      event_id: m.eventId,
      part_id: m.partId,
      location_id: m.locationId,
      lot: m.lot,
      serial: m.serial,
      quantity: str(m.quantity),
      unit_cost: str(m.unitCost),
      value: str(m.value),
      occurred_on: m.occurredOn,
      reverses_movement_id: m.reversesMovementId,
    })),
  );
}

export type NewLayer = { id: string; partId: string; locationId: string; sourceMovementId: string; qty: Decimal; value: Decimal; unitCost: Decimal };

export async function insertLayers(trx: Trx, tenantId: string, layers: NewLayer[]): Promise<void> {
  if (!layers.length) return;
  await trx('cost_layers').insert(
    layers.map((l) => ({
      tenant_id: tenantId,
      id: l.id,
      part_id: l.partId,
      location_id: l.locationId,
      source_movement_id: l.sourceMovementId,
      original_qty: str(l.qty),
      unit_cost: str(l.unitCost),
      remaining_qty: str(l.qty),
      remaining_value: str(l.value),
    })),
  );
}

/** Write the new remaining quantity and value of changed layers in one statement. */
export async function updateLayers(trx: Trx, tenantId: string, layers: { id: string; remainingQty: Decimal; remainingValue: Decimal }[]): Promise<void> {
  if (!layers.length) return;
  const values = layers.map(() => '(?::uuid, ?::numeric, ?::numeric)').join(', ');
  const bindings = layers.flatMap((l) => [l.id, str(l.remainingQty), str(l.remainingValue)]);
  await trx.raw(
    `update cost_layers c set remaining_qty = v.q, remaining_value = v.val
       from (values ${values}) as v(id, q, val) where c.tenant_id = ? and c.id = v.id`,
    [...bindings, tenantId],
  );
}

export async function insertConsumptions(trx: Trx, tenantId: string, rows: { movementId: string; layerId: string; qty: Decimal; value: Decimal }[]): Promise<void> {
  if (!rows.length) return;
  await trx('layer_consumptions').insert(
    rows.map((c) => ({ tenant_id: tenantId, movement_id: c.movementId, layer_id: c.layerId, quantity: str(c.qty), value: str(c.value) })),
  );
}

export async function consumptionsOf(trx: Trx, tenantId: string, movementIds: string[]) {
  if (!movementIds.length) return [];
  const rows = await trx('layer_consumptions').where({ tenant_id: tenantId }).whereIn('movement_id', movementIds);
  return rows.map((r) => ({ movementId: r.movement_id as string, layerId: r.layer_id as string, qty: new Decimal(r.quantity), value: new Decimal(r.value) }));
}

/**
 * Add signed deltas to on-hand per stock key (the caller holds the part locks). Existing rows are
 * updated and new keys inserted; CHECK (on_hand >= 0) is the last line of defence.
 */
export async function addToBalances(trx: Trx, tenantId: string, deltas: { partId: string; locationId: string; lot: string; delta: Decimal }[]): Promise<void> {
  const rows = deltas.filter((d) => !d.delta.isZero());
  if (!rows.length) return;
  const updated = await trx.raw(
    `update stock_balances b set on_hand = b.on_hand + v.d
       from (values ${rows.map(() => '(?::uuid, ?::uuid, ?::text, ?::numeric)').join(', ')}) as v(p, l, lot, d)
      where b.tenant_id = ? and b.part_id = v.p and b.location_id = v.l and b.lot = v.lot
      returning b.part_id, b.location_id, b.lot`,
    [...rows.flatMap((d) => [d.partId, d.locationId, d.lot, str(d.delta)]), tenantId],
  );
  const seen = new Set(updated.rows.map((r: Record<string, string>) => balanceKey(r.part_id, r.location_id, r.lot)));
  const fresh = rows.filter((d) => !seen.has(balanceKey(d.partId, d.locationId, d.lot)));
  if (fresh.length) {
    await trx('stock_balances').insert(fresh.map((d) => ({ tenant_id: tenantId, part_id: d.partId, location_id: d.locationId, lot: d.lot, on_hand: str(d.delta) })));
  }
}

export async function saveSerials(trx: Trx, tenantId: string, rows: (SerialRow & { movementId: string })[]): Promise<void> {
  if (!rows.length) return;
  await trx('serials')
    .insert(rows.map((s) => ({ tenant_id: tenantId, part_id: s.partId, serial: s.serial, location_id: s.locationId, lot: s.lot, status: s.status, last_movement_id: s.movementId })))
    .onConflict(['tenant_id', 'part_id', 'serial'])
    .merge(['location_id', 'lot', 'status', 'last_movement_id']);
}

export async function saveCarries(trx: Trx, tenantId: string, carries: Map<string, Carry>): Promise<void> {
  if (!carries.size) return;
  const entries = [...carries];
  await trx.raw(
    `update part_valuations p set exact_value = v.e, posted_value = v.p
       from (values ${entries.map(() => '(?::uuid, ?::numeric, ?::numeric)').join(', ')}) as v(id, e, p)
      where p.tenant_id = ? and p.part_id = v.id`,
    [...entries.flatMap(([id, c]) => [id, str(c.exactValue), str(c.postedValue)]), tenantId],
  );
}
