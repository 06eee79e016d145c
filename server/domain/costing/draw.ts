import { Decimal, VALUE_DP, sum } from '../decimal';
import { Layer, Draw, DrawResult, ValuationMethod, drawValue, totalQty, totalValue } from './layers';

/**
 * Cost an outbound quantity against the open layers of one part at one location.
 * FIFO takes the oldest layers first, LIFO the newest; weighted average takes the average
 * cost of everything on hand. Pure: the caller applies the draws.
 */
export function drawFromLayers(method: ValuationMethod, layers: Layer[], qty: Decimal): DrawResult {
  const available = totalQty(layers);
  if (available.lt(qty)) return { ok: false, available };
  if (method === 'weighted_average') return drawAverage(layers, qty, available);
  const ordered = [...layers].sort((a, b) => (method === 'fifo' ? a.seq - b.seq : b.seq - a.seq));
  const draws: Draw[] = [];
  let left = qty;
  for (const layer of ordered) {
    if (left.isZero()) break;
    if (layer.remainingQty.isZero()) continue;
    const take = Decimal.min(left, layer.remainingQty);
    draws.push({ layerId: layer.id, qty: take, value: drawValue(layer, take) });
    left = left.minus(take);
  }
  return { ok: true, draws, value: sum(draws.map((d) => d.value)) };
}

function drawAverage(layers: Layer[], qty: Decimal, available: Decimal): DrawResult {
  const allValue = totalValue(layers);
  const value = qty.eq(available) ? allValue : allValue.mul(qty).div(available).toDecimalPlaces(VALUE_DP);
  // Normally one open layer; if there are several, spread the draw over them in order.
  const draws: Draw[] = [];
  let qtyLeft = qty;
  let valueLeft = value;
  const open = [...layers].filter((l) => l.remainingQty.gt(0)).sort((a, b) => a.seq - b.seq);
  open.forEach((layer, i) => {
    if (qtyLeft.isZero()) return;
    const take = Decimal.min(qtyLeft, layer.remainingQty);
    const last = i === open.length - 1 || take.eq(qtyLeft);
    const v = last ? valueLeft : Decimal.min(valueLeft, value.mul(take).div(qty).toDecimalPlaces(VALUE_DP), layer.remainingValue);
    draws.push({ layerId: layer.id, qty: take, value: v });
    qtyLeft = qtyLeft.minus(take);
    valueLeft = valueLeft.minus(v);
  });
  return { ok: true, draws, value };
}

export function applyDraws(layers: Layer[], draws: Draw[]): Layer[] {
  return layers.map((l) => {
    const taken = draws.filter((d) => d.layerId === l.id);
    if (!taken.length) return l;
    return {
      ...l,
      remainingQty: l.remainingQty.minus(sum(taken.map((d) => d.qty))),
      remainingValue: l.remainingValue.minus(sum(taken.map((d) => d.value))),
    };
  });
}

