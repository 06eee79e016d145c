import { Decimal, ZERO, VALUE_DP, COST_DP, sum } from '../decimal';

export type ValuationMethod = 'fifo' | 'weighted_average' | 'lifo';

/** An open cost layer of one part at one location, in recorded order (seq). */
export type Layer = { id: string; seq: number; remainingQty: Decimal; remainingValue: Decimal };

export type Draw = { layerId: string; qty: Decimal; value: Decimal };

export type DrawResult = { ok: true; draws: Draw[]; value: Decimal } | { ok: false; available: Decimal };

/** How an inbound quantity joins the layers: a new layer, or (weighted average) merged into the one open layer. */
export type InboundPlan =
  | { kind: 'new'; qty: Decimal; value: Decimal; unitCost: Decimal }
  | { kind: 'merge'; layerId: string; qty: Decimal; value: Decimal; unitCost: Decimal };

export function unitCostOf(qty: Decimal, value: Decimal): Decimal {
  return qty.isZero() ? ZERO : value.div(qty).toDecimalPlaces(COST_DP);
}

/** The value drawn when taking qty from a layer: pro rata, and the whole remainder when emptying it. */
export function drawValue(layer: Layer, qty: Decimal): Decimal {
  if (qty.eq(layer.remainingQty)) return layer.remainingValue;
  return layer.remainingValue.mul(qty).div(layer.remainingQty).toDecimalPlaces(VALUE_DP);
}

export function totalQty(layers: Layer[]): Decimal {
  return sum(layers.map((l) => l.remainingQty));
}

export function totalValue(layers: Layer[]): Decimal {
  return sum(layers.map((l) => l.remainingValue));
}
