import { Trx } from '../../db';
import { Decimal, ZERO, sum, VALUE_DP } from '../../domain/decimal';
import { splitPriceDifference } from '../../domain/purchasing';
import { ValuationMethod } from '../../domain/costing';
import { Part, Location, locationsById } from '../../repos/catalogue';
import { RevalueLeg } from '../stock/types';

/** One billed chunk of one receipt: what the bill paid for it against what goods-in valued it at. */
export type BilledChunk = {
  receiptLineId: string;
  eventId: string;
  receivedQty: Decimal;
  billedBefore: Decimal;
  billedQty: Decimal;
  receiptUnitCost: Decimal;
  billUnitCost: Decimal;
  field: string;
};

export type ChunkOutcome = { legs: RevalueLeg[]; revalued: Decimal; variance: Decimal };

type LayerState = { id: string; partId: string; locationId: string; lot: string; remainingQty: Decimal; remainingValue: Decimal };

/**
 * The price difference of one billed chunk: on stock still on hand it revalues the receipt's
 * own cost layers (under weighted average, the one open layer its units joined); on what has
 * been consumed or sold it is purchase price variance. Layer values are tracked across chunks
 * of the same bill so two lines on one receipt never revalue the same value twice.
 */
export async function priceDifference(trx: Trx, tenantId: string, method: ValuationMethod, chunk: BilledChunk, parts: Map<string, Part>, locations: Map<string, Location>, seen: Map<string, LayerState>): Promise<ChunkOutcome> {
  if (chunk.billUnitCost.eq(chunk.receiptUnitCost)) return { legs: [], revalued: ZERO, variance: ZERO };
  const layers = await receiptLayers(trx, tenantId, method, chunk.eventId, seen);
  const missing = layers.map((l) => l.locationId).filter((id) => !locations.has(id));
  if (missing.length) for (const [id, l] of await locationsById(trx, tenantId, missing)) locations.set(id, l);
  const onHand = Decimal.min(sum(layers.map((l) => l.remainingQty)), chunk.receivedQty);
  const value = sum(layers.map((l) => l.remainingValue));
  const split = splitPriceDifference({ receivedQty: chunk.receivedQty, stillOnHand: onHand, billedBefore: chunk.billedBefore, billedQty: chunk.billedQty, receiptUnitCost: chunk.receiptUnitCost, billUnitCost: chunk.billUnitCost, layerValue: value });
  const legs = spread(split.revalue, layers).map(({ layer, amount }) => {
    layer.remainingValue = layer.remainingValue.plus(amount);
    return { dir: 'revalue' as const, field: chunk.field, part: parts.get(layer.partId)!, location: locations.get(layer.locationId)!, lot: layer.lot, serial: null, qty: ZERO, layerId: layer.id, value: amount };
  });
  return { legs, revalued: split.revalue, variance: split.variance };
}

/** A revaluation shared over layers by remaining quantity; the last takes the remainder, so the parts add up exactly. */
function spread(total: Decimal, layers: LayerState[]): { layer: LayerState; amount: Decimal }[] {
  const open = layers.filter((l) => l.remainingQty.gt(0));
  if (total.isZero() || !open.length) return [];
  const qty = sum(open.map((l) => l.remainingQty));
  let left = total;
  return open.map((layer, i) => {
    const amount = i === open.length - 1 ? left : total.mul(layer.remainingQty).div(qty).toDecimalPlaces(VALUE_DP);
    left = left.minus(amount);
    return { layer, amount };
  }).filter((x) => !x.amount.isZero());
}

/**
 * The layers holding what is left of a receipt: the ones its movements created (FIFO, LIFO), or
 * under weighted average the open layer at each place it arrived (its units are not told apart).
 */
async function receiptLayers(trx: Trx, tenantId: string, method: ValuationMethod, eventId: string, seen: Map<string, LayerState>): Promise<LayerState[]> {
  const moves = await trx('stock_movements').where({ tenant_id: tenantId, event_id: eventId }).where('quantity', '>', 0).select('id', 'part_id', 'location_id', 'lot');
  let rows: Record<string, any>[];
  if (method === 'weighted_average') {
    rows = [];
    for (const m of moves) {
      const open = await trx('cost_layers').where({ tenant_id: tenantId, part_id: m.part_id, location_id: m.location_id, lot: m.lot }).where('remaining_qty', '>', 0).orderBy('seq').first();
      if (open && !rows.some((r) => r.id === open.id)) rows.push(open);
    }
  } else {
    // The receipt's own layers and, wherever its units were moved, the layers transfers made of them.
    const { rows: found } = await trx.raw(
      `with recursive lineage as (
         select c.* from cost_layers c where c.tenant_id = ? and c.source_movement_id in (select json_array_elements_text(?::json)::uuid)
         union all
         select c.* from cost_layers c join lineage l on c.tenant_id = l.tenant_id and c.parent_layer_id = l.id)
       select id, part_id, location_id, lot, remaining_qty::text, remaining_value::text from lineage order by seq`,
      [tenantId, JSON.stringify(moves.map((m) => m.id))],
    );
    rows = found;
  }
  return rows.map((r) => {
    if (!seen.has(r.id)) seen.set(r.id, { id: r.id, partId: r.part_id, locationId: r.location_id, lot: r.lot, remainingQty: new Decimal(r.remaining_qty), remainingValue: new Decimal(r.remaining_value) });
    return seen.get(r.id)!;
  });
}

/**
 * The dates the billed stock came to be where it is: each receipt's date and, for units a
 * transfer has moved since, the date of the movement that made the layer being revalued.
 */
export async function billedStockDates(trx: Trx, tenantId: string, receiptEventIds: string[], layerIds: string[]): Promise<string[]> {
  const receipts = await trx('stock_events').where({ tenant_id: tenantId }).whereIn('id', receiptEventIds)
    .select(trx.raw('occurred_on::text as d'));
  const layers = layerIds.length
    ? await trx('cost_layers as c')
      .join('stock_movements as m', (j) => j.on('m.id', 'c.source_movement_id').andOn('m.tenant_id', 'c.tenant_id'))
      .where('c.tenant_id', tenantId).whereIn('c.id', layerIds).select(trx.raw('m.occurred_on::text as d'))
    : [];
  return [...receipts, ...layers].map((r) => r.d as string);
}
