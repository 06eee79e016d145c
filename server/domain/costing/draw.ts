import { Decimal, QTY_DP, sum } from '../decimal';
import { Layer, Draw, DrawResult, ValuationMethod, drawValue, totalQty } from './layers';

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

/**
 * Weighted average normally has one open layer. If there are several, each gives the same share
 * of its quantity, so the value drawn is exactly the average and no layer is left with value
 * but no quantity.
 */
function drawAverage(layers: Layer[], qty: Decimal, available: Decimal): DrawResult {
  const open = layers.filter((l) => l.remainingQty.gt(0)).sort((a, b) => a.seq - b.seq);
  const takes = open.map((l) => (qty.eq(available) ? l.remainingQty : l.remainingQty.mul(qty).div(available).toDecimalPlaces(QTY_DP, Decimal.ROUND_DOWN)));
  let short = qty.minus(sum(takes));
  for (let i = 0; short.gt(0) && i < open.length; i++) {
    const room = Decimal.min(short, open[i].remainingQty.minus(takes[i]));
    takes[i] = takes[i].plus(room);
    short = short.minus(room);
  }
  const draws: Draw[] = open.map((l, i) => ({ layerId: l.id, qty: takes[i], value: drawValue(l, takes[i]) })).filter((d) => d.qty.gt(0));
  return { ok: true, draws, value: sum(draws.map((d) => d.value)) };
}

/**
 * A transfer's units arrive at their destination as new layers in the order the source recorded
 * them (oldest first), not the order they were drawn: LIFO draws the newest first, and layers
 * rebuilt in that order would put the newest units at the back of the destination's LIFO queue.
 */
export function inRecordedOrder(draws: Draw[], layers: Layer[]): Draw[] {
  const seq = new Map(layers.map((l) => [l.id, l.seq]));
  return [...draws].sort((a, b) => (seq.get(a.layerId) ?? 0) - (seq.get(b.layerId) ?? 0));
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

